/* test_layout.c: pane geometry for splits and the watch grid: inside the
 * area, no overlaps, no negative sizes however small the terminal, every
 * pane reachable by the mouse and by direction keys. */
#include "testutil.h"

#include "server/layout.h"

static struct tab tab_of(size_t n, enum layout_kind kind)
{
    struct tab t = {.n = n, .kind = kind};
    return t;
}

static bool overlap(struct rect a, struct rect b)
{
    return a.w > 0 && a.h > 0 && b.w > 0 && b.h > 0 && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h &&
           b.y < a.y + a.h;
}

/* Checks every pane of an n-pane tab; returns how many have room (>= 1x1). */
static size_t check(size_t n, enum layout_kind kind, struct rect area)
{
    struct tab t = tab_of(n, kind);
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        struct rect r = layout_pane_rect(&t, i, area);
        shown += r.w > 0 && r.h > 0;
        cr_assert(r.w >= 0 && r.h >= 0, "n=%zu kind=%d area %dx%d: pane %zu is %dx%d", n, kind, area.w, area.h, i, r.w,
                  r.h);
        cr_assert(r.x >= area.x && r.y >= area.y && r.x + r.w <= area.x + area.w && r.y + r.h <= area.y + area.h,
                  "n=%zu kind=%d area %dx%d: pane %zu at %d,%d %dx%d is outside", n, kind, area.w, area.h, i, r.x, r.y,
                  r.w, r.h);
        for (size_t j = 0; j < i; j++)
            cr_assert_not(overlap(r, layout_pane_rect(&t, j, area)), "n=%zu kind=%d: %zu overlaps %zu", n, kind, i, j);
    }
    return shown;
}

Test(layout, every_pane_fits_whatever_the_size)
{
    enum layout_kind kinds[] = {LAYOUT_SIDE_BY_SIDE, LAYOUT_STACKED, LAYOUT_GRID};
    int sizes[][2] = {{1, 1}, {2, 3}, {5, 5}, {10, 4}, {40, 12}, {80, 24}, {300, 100}};
    size_t nsizes = sizeof sizes / sizeof sizes[0];
    for (size_t k = 0; k < 3; k++)
        for (size_t s = 0; s < nsizes; s++)
            for (size_t n = 1; n <= 64; n++) {
                size_t shown = check(n, kinds[k], (struct rect){1, 0, sizes[s][1], sizes[s][0]});
                cr_assert_leq(shown, n);
                if (s + 1 == nsizes) /* 300x100 has room for every pane of every layout */
                    cr_assert_eq(shown, n, "kind %d: %zu of %zu panes shown on 300x100", kinds[k], shown, n);
            }
}

Test(layout, panes_share_the_room_when_there_is_room)
{
    struct rect area = {1, 0, 40, 160};
    struct tab t = tab_of(3, LAYOUT_SIDE_BY_SIDE);
    int total = 0;
    for (size_t i = 0; i < 3; i++) {
        struct rect r = layout_pane_rect(&t, i, area);
        cr_assert_eq(r.h, 40);
        cr_assert(r.w >= 52 && r.w <= 54, "pane %zu is %d wide", i, r.w);
        total += r.w;
    }
    cr_assert_eq(total + 2, 160, "two one-column gaps");
    t = tab_of(36, LAYOUT_GRID);
    for (size_t i = 0; i < 36; i++) {
        struct rect r = layout_pane_rect(&t, i, area);
        cr_assert(r.w >= GRID_MIN_COLS && r.h >= GRID_MIN_ROWS + 1, "grid pane %zu is %dx%d", i, r.w, r.h);
    }
}

/* More panes than fit at 20x5 each: pages, the one with the focus shown. */
Test(layout, a_big_grid_pages)
{
    struct rect area = {1, 0, 40, 120};
    struct tab t = tab_of(100, LAYOUT_GRID);
    size_t per = layout_per_page(area), page;
    cr_assert_eq(per, 30, "5 across (20 + a gap each) by 6 down (5 + a title each)");
    cr_assert_eq(layout_pages(&t, area, &page), 4);
    cr_assert_eq(page, 0);
    for (size_t f = 0; f < 100; f += 7) {
        t.focus = f;
        layout_pages(&t, area, &page);
        cr_assert_eq(page, f / 30);
        size_t shown = 0;
        for (size_t i = 0; i < 100; i++) {
            struct rect r = layout_pane_rect(&t, i, area);
            bool on_page = i / 30 == page;
            cr_assert_eq(r.w > 0 && r.h > 0, on_page, "focus %zu: pane %zu %s", f, i, on_page ? "hidden" : "shown");
            if (!on_page)
                continue;
            shown++;
            cr_assert(r.w >= GRID_MIN_COLS && r.h >= GRID_MIN_ROWS + 1, "pane %zu is %dx%d", i, r.w, r.h);
            cr_assert_eq(layout_pane_at(&t, area, r.y + r.h / 2, r.x + r.w / 2), (int)i);
        }
        cr_assert_eq(shown, page == 3 ? 10 : 30);
    }
    struct tab split = tab_of(3, LAYOUT_SIDE_BY_SIDE);
    cr_assert_eq(layout_pages(&split, area, &page), 1, "splits do not page");
}

Test(layout, the_mouse_finds_each_pane)
{
    struct rect area = {1, 0, 50, 200};
    enum layout_kind kinds[] = {LAYOUT_SIDE_BY_SIDE, LAYOUT_STACKED, LAYOUT_GRID};
    for (size_t k = 0; k < 3; k++) {
        struct tab t = tab_of(kinds[k] == LAYOUT_GRID ? 9 : 4, kinds[k]);
        for (size_t i = 0; i < t.n; i++) {
            struct rect r = layout_pane_rect(&t, i, area);
            cr_assert_eq(layout_pane_at(&t, area, r.y + r.h / 2, r.x + r.w / 2), (int)i);
        }
        cr_assert_eq(layout_pane_at(&t, area, 0, 0), -1, "the row above the area");
    }
}

Test(layout, direction_keys_walk_the_grid)
{
    struct rect area = {1, 0, 60, 120};
    struct tab t = tab_of(9, LAYOUT_GRID); /* 3 x 3: cells 40 wide, 20 high */
    cr_assert_eq(layout_pane_rect(&t, 4, area).x, 40);
    cr_assert_eq(layout_pane_rect(&t, 4, area).y, 21);
    t.focus = 4;
    cr_assert_eq(layout_neighbour(&t, area, 0, 1), 5);
    cr_assert_eq(layout_neighbour(&t, area, 0, -1), 3);
    cr_assert_eq(layout_neighbour(&t, area, -1, 0), 1);
    cr_assert_eq(layout_neighbour(&t, area, 1, 0), 7);
    t.focus = 0;
    cr_assert_eq(layout_neighbour(&t, area, 0, -1), 0, "no pane to the left: focus stays");
    cr_assert_eq(layout_neighbour(&t, area, -1, 0), 0);
    struct tab one = tab_of(1, LAYOUT_GRID);
    cr_assert_eq(layout_neighbour(&one, area, 0, 1), 0);
}
