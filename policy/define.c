/* policy/define.c: names, images and template XML for a student's define; the owner read back. */
#include "policy/define.h"
#include "util/errf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

/* ---- names ---- */

int define_name_ok(const char *name, char *err, size_t errlen)
{
    if (!name || !*name)
        return errf(err, errlen, "a name may not be empty");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p == '/')
            return errf(err, errlen, "a name may not contain '/'");
        if (*p == ' ' || *p == '\t')
            return errf(err, errlen, "a name may not contain spaces");
        if (*p < 0x20 || *p == 0x7f)
            return errf(err, errlen, "a name may not contain control characters");
    }
    size_t len = strlen(name);
    if (len > DEFINE_NAME_MAX)
        return errf(err, errlen, "a name may have at most %d bytes (this one has %zu)", DEFINE_NAME_MAX, len);
    if (name[0] == '-' || name[0] == '.')
        return errf(err, errlen, "a name may not start with '%c'", name[0]);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
                  *p == '_' || *p == '-' || *p == '+';
        if (!ok)
            return errf(err, errlen, "a name may contain only ASCII letters, digits, '.', '_', '-' and '+'");
    }
    return 0;
}

/* ---- images ---- */

int define_image_check(const char *images_dir, const char *path, uid_t uid, char *resolved, size_t rlen, char *err,
                       size_t errlen)
{
    if (!images_dir || images_dir[0] != '/')
        return errf(err, errlen, "no images directory in the policy");
    if (!path || !*path)
        return errf(err, errlen, "no image named");
    size_t dl = strlen(images_dir);
    while (dl > 1 && images_dir[dl - 1] == '/')
        dl--;
    if (dl >= PATH_MAX || strlen(path) >= PATH_MAX)
        return errf(err, errlen, "image path too long");
    const char *rel = path;
    if (path[0] == '/') {
        if (strncmp(path, images_dir, dl) != 0 || path[dl] != '/')
            return errf(err, errlen, "%s is not inside your directory %.*s", path, (int)dl, images_dir);
        rel = path + dl;
    }
    char dir[PATH_MAX], comps[PATH_MAX], out[PATH_MAX * 2];
    memcpy(dir, images_dir, dl);
    dir[dl] = '\0';
    snprintf(comps, sizeof comps, "%s", rel);
    if (comps[0] == '\0' || comps[strlen(comps) - 1] == '/')
        return errf(err, errlen, "%s names a directory, not an image", path);

    /* The directory itself, not followed if it is a symlink. O_PATH: the
       server only needs search permission to look. */
    int dfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        if (errno == ENOENT)
            return errf(err, errlen, "your images directory %s does not exist", dir);
        if (errno == ELOOP || errno == ENOTDIR)
            return errf(err, errlen, "your images directory %s is not a directory (or a symlink)", dir);
        return errf(err, errlen, "%s: %s", dir, strerror(errno));
    }
    size_t on = (size_t)snprintf(out, sizeof out, "%s", dir);
    char *save = NULL;
    char *c = strtok_r(comps, "/", &save);
    while (c) {
        char *next = strtok_r(NULL, "/", &save);
        if (!strcmp(c, ".")) {
            c = next;
            continue;
        }
        if (!strcmp(c, "..")) {
            close(dfd);
            return errf(err, errlen, "'..' is not allowed in an image path");
        }
        on += (size_t)snprintf(out + on, sizeof out - on, "%s%s", on == 1 ? "" : "/", c);
        /* O_PATH|O_NOFOLLOW opens a symlink itself: fstat then says so. */
        int fd = openat(dfd, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            close(dfd);
            if (e == ENOENT)
                return errf(err, errlen, "%s does not exist", out);
            return errf(err, errlen, "%s: %s", out, strerror(e));
        }
        close(dfd);
        dfd = fd;
        struct stat st;
        if (fstat(fd, &st) < 0) {
            close(fd);
            return errf(err, errlen, "%s: %s", out, strerror(errno));
        }
        if (S_ISLNK(st.st_mode)) {
            close(fd);
            return errf(err, errlen, "%s is a symlink; images may not be reached through one", out);
        }
        if (next && !S_ISDIR(st.st_mode)) {
            close(fd);
            return errf(err, errlen, "%s is not a directory", out);
        }
        if (!next) {
            close(fd);
            if (!S_ISREG(st.st_mode))
                return errf(err, errlen, "%s is not a regular file", out);
            if (st.st_uid != uid)
                return errf(err, errlen, "%s is not yours (owned by uid %u)", out, (unsigned)st.st_uid);
            if (on >= rlen)
                return errf(err, errlen, "image path too long");
            memcpy(resolved, out, on + 1);
            return 0;
        }
        c = next;
    }
    close(dfd);
    return errf(err, errlen, "%s names a directory, not an image", path);
}

/* ---- template XML ---- */

static bool is_el(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name) && !n->ns;
}

static bool is_owner(xmlNodePtr n)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           !strcmp((const char *)n->ns->href, DEFINE_OWNER_NS);
}

static xmlDocPtr parse(const char *xml, const char *what, char *err, size_t errlen)
{
    if (!xml) {
        errf(err, errlen, "no %s", what);
        return NULL;
    }
    /* NONET, no entity substitution, no DTD loading: nothing is fetched or
       expanded. */
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), what, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
    if (!doc) {
        errf(err, errlen, "the %s is not well-formed XML", what);
        return NULL;
    }
    if (doc->intSubset || doc->extSubset) {
        xmlFreeDoc(doc);
        errf(err, errlen, "the %s may not have a DOCTYPE", what);
        return NULL;
    }
    return doc;
}

/* The one writable file disk of a template, or NULL with why. */
static xmlNodePtr template_disk(xmlDocPtr doc, char *err, size_t errlen)
{
    xmlNodePtr root = xmlDocGetRootElement(doc), disk = NULL;
    int n = 0;
    if (!is_el(root, "domain")) {
        errf(err, errlen, "a template's root element must be <domain>");
        return NULL;
    }
    for (xmlNodePtr d = root->children; d; d = d->next) {
        if (!is_el(d, "devices"))
            continue;
        for (xmlNodePtr k = d->children; k; k = k->next) {
            if (!is_el(k, "disk"))
                continue;
            xmlChar *dev = xmlGetProp(k, BAD_CAST "device");
            xmlChar *type = xmlGetProp(k, BAD_CAST "type");
            const char *ds = dev ? (const char *)dev : "disk";
            int bad = 0;
            if (!strcmp(ds, "disk")) {
                n++;
                disk = k;
                if (!type || strcmp((const char *)type, "file") != 0)
                    bad = errf(err, errlen, "a template's disk must be type='file' (this one is type='%s')",
                               type ? (const char *)type : "");
            } else if (strcmp(ds, "cdrom") != 0 && strcmp(ds, "floppy") != 0) {
                bad = errf(err, errlen, "a template may not have a disk of device='%s'", ds);
            }
            xmlFree(dev);
            xmlFree(type);
            if (bad)
                return NULL;
        }
    }
    if (n != 1) {
        errf(err, errlen, "a template needs exactly one <disk type='file' device='disk'> (it has %d)", n);
        return NULL;
    }
    return disk;
}

int define_template_check(const char *template_xml, char *err, size_t errlen)
{
    xmlDocPtr doc = parse(template_xml, "template", err, errlen);
    if (!doc)
        return -1;
    int rc = template_disk(doc, err, errlen) ? 0 : -1;
    xmlFreeDoc(doc);
    return rc;
}

static void drop(xmlNodePtr n)
{
    xmlUnlinkNode(n);
    xmlFreeNode(n);
}

/* Remove the element children of parent named name (no namespace). */
static void drop_children(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr n = parent->children, next; n; n = next) {
        next = n->next;
        if (is_el(n, name))
            drop(n);
    }
}

/* The template's identity: whatever would make two copies the same machine. */
static void drop_identity(xmlNodePtr root)
{
    drop_children(root, "name");
    drop_children(root, "uuid");
    drop_children(root, "genid");
    for (xmlNodePtr s = root->children; s; s = s->next) {
        if (!is_el(s, "sysinfo"))
            continue;
        for (xmlNodePtr sys = s->children; sys; sys = sys->next) {
            if (!is_el(sys, "system"))
                continue;
            for (xmlNodePtr e = sys->children, next; e; e = next) {
                next = e->next;
                xmlChar *nm = is_el(e, "entry") ? xmlGetProp(e, BAD_CAST "name") : NULL;
                if (nm && !strcmp((const char *)nm, "uuid"))
                    drop(e);
                xmlFree(nm);
            }
        }
    }
    for (xmlNodePtr d = root->children; d; d = d->next)
        if (is_el(d, "devices"))
            for (xmlNodePtr i = d->children; i; i = i->next)
                if (is_el(i, "interface"))
                    drop_children(i, "mac");
}

static xmlNodePtr new_owner(xmlDocPtr doc, const char *owner, uid_t uid)
{
    char u[32];
    xmlNodePtr o = xmlNewDocNode(doc, NULL, BAD_CAST "owner", NULL);
    if (!o)
        return NULL;
    xmlNsPtr ns = xmlNewNs(o, BAD_CAST DEFINE_OWNER_NS, BAD_CAST DEFINE_OWNER_PREFIX);
    xmlSetNs(o, ns);
    snprintf(u, sizeof u, "%u", (unsigned)uid);
    if (!ns || !xmlSetProp(o, BAD_CAST "uid", BAD_CAST u) || !xmlSetProp(o, BAD_CAST "user", BAD_CAST owner)) {
        xmlFreeNode(o);
        return NULL;
    }
    return o;
}

static char *dump(xmlDocPtr doc, xmlNodePtr node)
{
    xmlBufferPtr buf = xmlBufferCreate();
    if (!buf)
        return NULL;
    char *s = NULL;
    if (xmlNodeDump(buf, doc, node, 0, 1) >= 0) {
        const char *c = (const char *)xmlBufferContent(buf);
        size_t n = strlen(c);
        if ((s = malloc(n + 2))) {
            memcpy(s, c, n);
            s[n] = '\n';
            s[n + 1] = '\0';
        }
    }
    xmlBufferFree(buf);
    return s;
}

char *define_xml_from_template(const char *template_xml, const char *owner, uid_t uid, const char *name,
                               const unsigned char uuid[16], const char *image_path, char *err, size_t errlen)
{
    char full[256], us[37];
    if (!owner || !*owner || strlen(owner) > 64) {
        errf(err, errlen, "no owner");
        return NULL;
    }
    if (define_name_ok(name, err, errlen) < 0)
        return NULL;
    if (image_path && image_path[0] != '/') {
        errf(err, errlen, "the image path must be absolute");
        return NULL;
    }
    snprintf(full, sizeof full, "%s-%s", owner, name);
    define_uuid_format(uuid, us);

    xmlDocPtr doc = parse(template_xml, "template", err, errlen);
    if (!doc)
        return NULL;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr disk = template_disk(doc, err, errlen);
    if (!disk)
        goto fail;
    drop_identity(root);

    /* <name> and <uuid> first, as libvirt writes them. */
    xmlNodePtr nn = xmlNewDocNode(doc, NULL, BAD_CAST "name", NULL);
    xmlNodePtr un = xmlNewDocNode(doc, NULL, BAD_CAST "uuid", NULL);
    if (!nn || !un) {
        xmlFreeNode(nn);
        xmlFreeNode(un);
        goto nomem;
    }
    xmlNodeAddContent(nn, BAD_CAST full);
    xmlNodeAddContent(un, BAD_CAST us);
    if (root->children)
        xmlAddPrevSibling(root->children, nn);
    else
        xmlAddChild(root, nn);
    xmlAddNextSibling(nn, un);

    if (image_path) {
        drop_children(disk, "backingStore");
        xmlNodePtr src = NULL;
        for (xmlNodePtr k = disk->children; k && !src; k = k->next)
            if (is_el(k, "source"))
                src = k;
        if (!src && !(src = xmlNewChild(disk, NULL, BAD_CAST "source", NULL)))
            goto nomem;
        if (!xmlSetProp(src, BAD_CAST "file", BAD_CAST image_path))
            goto nomem;
    }

    /* Our owner element replaces any the template carried (a template made
       from someone's dumpxml must not give their domain away). */
    xmlNodePtr md = NULL;
    for (xmlNodePtr k = root->children; k; k = k->next) {
        if (!is_el(k, "metadata"))
            continue;
        if (!md)
            md = k;
        for (xmlNodePtr o = k->children, next; o; o = next) {
            next = o->next;
            if (is_owner(o))
                drop(o);
        }
    }
    if (!md && !(md = xmlNewChild(root, NULL, BAD_CAST "metadata", NULL)))
        goto nomem;
    xmlNodePtr o = new_owner(doc, owner, uid);
    if (!o)
        goto nomem;
    xmlAddChild(md, o);

    char *s = dump(doc, root);
    if (!s)
        goto nomem;
    xmlFreeDoc(doc);
    return s;
nomem:
    errf(err, errlen, "out of memory");
fail:
    xmlFreeDoc(doc);
    return NULL;
}

/* ---- the owner read back ---- */

static int read_owner(xmlNodePtr o, char *user, size_t ulen, uid_t *uid)
{
    xmlChar *u = xmlGetProp(o, BAD_CAST "uid"), *n = xmlGetProp(o, BAD_CAST "user");
    int rc = -1;
    if (u && n && *u && *n) {
        char *end;
        errno = 0;
        unsigned long v = strtoul((const char *)u, &end, 10);
        bool digits = u[0] >= '0' && u[0] <= '9';
        bool clean = true;
        for (const xmlChar *p = n; *p; p++)
            if (*p < 0x20 || *p == 0x7f || *p == '/')
                clean = false;
        if (digits && !errno && !*end && v < (uid_t)-1 && clean && strlen((const char *)n) < ulen) {
            snprintf(user, ulen, "%s", (const char *)n);
            *uid = (uid_t)v;
            rc = 0;
        }
    }
    xmlFree(u);
    xmlFree(n);
    return rc;
}

int define_owner_from_xml(const char *xml, char *user, size_t ulen, uid_t *uid)
{
    xmlDocPtr doc = parse(xml, "domain XML", NULL, 0);
    if (!doc)
        return -1;
    xmlNodePtr root = xmlDocGetRootElement(doc), found = NULL;
    int n = 0, rc;
    /* virDomainGetMetadata(ELEMENT, our URI) gives the element back with
       its namespace stripped: a bare <owner> root is that answer. */
    if ((is_owner(root) || is_el(root, "owner")) && !strcmp((const char *)root->name, "owner")) {
        found = root;
        n = 1;
    } else if (is_el(root, "domain")) {
        for (xmlNodePtr k = root->children; k; k = k->next)
            if (is_el(k, "metadata"))
                for (xmlNodePtr o = k->children; o; o = o->next)
                    if (is_owner(o)) {
                        found = o;
                        n++;
                    }
    } else {
        xmlFreeDoc(doc);
        return -1;
    }
    if (n == 0)
        rc = 1;
    else if (n > 1 || strcmp((const char *)found->name, "owner") != 0)
        rc = -1;
    else
        rc = read_owner(found, user, ulen, uid);
    xmlFreeDoc(doc);
    return rc;
}

int define_owner_consistent(const char *domain_name, const char *owner_user)
{
    if (!domain_name || !owner_user || !*owner_user)
        return 0;
    size_t n = strlen(owner_user);
    return !strncmp(domain_name, owner_user, n) && domain_name[n] == '-' && domain_name[n + 1] != '\0';
}

int define_domain_owner(const char *name, const char *md, char *user, size_t ulen, uid_t *uid, char *why, size_t whylen)
{
    if (!md)
        return 1;
    char u[256];
    uid_t id;
    int rc = define_owner_from_xml(md, u, sizeof u, &id);
    if (rc == 1)
        return 1;
    if (rc < 0)
        return errf(why, whylen, "domain %s has malformed owner metadata", name ? name : "?");
    if (!define_owner_consistent(name, u))
        return errf(why, whylen, "domain %s is named for another owner than %s", name ? name : "?", u);
    if (strlen(u) >= ulen)
        return errf(why, whylen, "owner name too long");
    memcpy(user, u, strlen(u) + 1);
    *uid = id;
    return 0;
}

char *define_owner_element(const char *owner, uid_t uid)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    if (!doc)
        return NULL;
    xmlNodePtr o = new_owner(doc, owner, uid);
    char *s = NULL;
    if (o) {
        xmlDocSetRootElement(doc, o);
        s = dump(doc, o);
    }
    xmlFreeDoc(doc);
    return s;
}

/* ---- UUIDs ---- */

int define_uuid_random(unsigned char uuid[16])
{
    if (getrandom(uuid, 16, 0) != 16)
        return -1;
    uuid[6] = (unsigned char)((uuid[6] & 0x0f) | 0x40);
    uuid[8] = (unsigned char)((uuid[8] & 0x3f) | 0x80);
    return 0;
}

void define_uuid_format(const unsigned char u[16], char out[37])
{
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3],
             u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}
