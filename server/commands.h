/* server/commands.h: what the command table (server/command.c) runs; one
 * file per kind of command. Internal to server/. */
#ifndef VIRTMUX_COMMANDS_H
#define VIRTMUX_COMMANDS_H
#include "server/command.h"

struct app;
struct view;

#define CMD(name) int name(struct app *a, const struct cmd_args *args, char *err, size_t errlen)

/* server/cmd_views.c: views, navigation, prompts, the client */
CMD(cmd_navigate);
CMD(cmd_select_mouse);
CMD(cmd_show_help);
CMD(cmd_show_messages);
CMD(cmd_show_hosts);
CMD(cmd_show_domains);
CMD(cmd_close_view);
CMD(cmd_command_prompt);
CMD(cmd_filter);
CMD(cmd_filter_clear);
CMD(cmd_board);
CMD(cmd_sort);
CMD(cmd_quit);
CMD(cmd_refresh_client);
CMD(cmd_suspend_client);
CMD(cmd_display_message);
CMD(cmd_list_commands);
CMD(cmd_show_options);

/* server/cmd_domains.c: life cycle, create, migrate */
CMD(cmd_domain_action);
CMD(cmd_create);
CMD(cmd_migrate);
CMD(cmd_migrate_cancel);

/* server/cmd_classroom.c: a class on a system server */
CMD(cmd_define);
CMD(cmd_undefine);
CMD(cmd_dumpxml);
CMD(cmd_list);
CMD(cmd_whoami);
CMD(cmd_reload_policy);

/* server/cmd_consoles.c: consoles, tabs, panes, scrolling */
CMD(cmd_attach);
CMD(cmd_split_window);
CMD(cmd_switch_console);
CMD(cmd_send_key);
CMD(cmd_watch_all);
CMD(cmd_select_layout);
CMD(cmd_select_window);
CMD(cmd_select_page);
CMD(cmd_select_pane);
CMD(cmd_kill_pane);
CMD(cmd_kill_window);
CMD(cmd_prefix);
CMD(cmd_send_prefix);
CMD(cmd_copy_mode);
CMD(cmd_search);
CMD(cmd_resize_guest);
CMD(cmd_capture_pane);

/* server/cmd_hosts.c */
CMD(cmd_host);
CMD(cmd_host_remove);
CMD(cmd_host_reconnect);
CMD(cmd_connect);
CMD(cmd_connect_default);
CMD(cmd_demo);

/* server/cmd_config.c: bindings, options, files */
CMD(cmd_bind_key);
CMD(cmd_unbind_key);
CMD(cmd_set);
CMD(cmd_source_file);
CMD(cmd_source_keys);

/* server/cmd_sessions.c: sessions and the server */
CMD(cmd_attach_session);
CMD(cmd_new_session);
CMD(cmd_list_sessions);
CMD(cmd_kill_session);
CMD(cmd_kill_server);
CMD(cmd_detach_client);
CMD(cmd_server_info);

#undef CMD

/* Shared by them: the list (or host list, or board) in place of the
 * consoles, nothing over it. */
void show_main(struct app *a, struct view *v);

#endif
