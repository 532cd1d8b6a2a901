/* test_ssh.c: the pure parts of SSH support — libvirt URI parameters virtmux
 * fills in, finding a host's line in known_hosts, and which of URI / config /
 * default wins for user, port, key, known_hosts and host name. */
#include "testutil.h"

#include <unistd.h>

#include "backends/knownhosts.h"
#include "backends/ssh.h"
#include "backends/sshuri.h"

#define KEY1 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGXzPZDLrLBIhzrK9eYd8mGZIrROBrtKiRx14/4T+zPa"
#define KEY1_FP "SHA256:cMfkTG+ObHtC020jBJGxSvr/rOMZQUuCWSleW7NjLSg"

/* ---- URI parsing ---- */

Test(sshuri, parses_user_host_port_and_params)
{
    struct ssh_target t;
    char err[200] = "";

    cr_assert_eq(sshuri_parse("qemu+libssh://alice@lab1.example.org:2222/system?keyfile=/k/id%20x&known_hosts=/kh", &t,
                              err, sizeof err),
                 0);
    cr_assert_eq(t.transport, SSH_T_LIBSSH);
    cr_assert_str_eq(t.user, "alice");
    cr_assert_str_eq(t.host, "lab1.example.org");
    cr_assert_eq(t.port, 2222);
    cr_assert_str_eq(t.keyfile, "/k/id x");
    cr_assert_str_eq(t.known_hosts, "/kh");
}

Test(sshuri, ipv6_and_no_user)
{
    struct ssh_target t;
    char err[200] = "";

    cr_assert_eq(sshuri_parse("qemu+ssh://[::1]:2200/system", &t, err, sizeof err), 0);
    cr_assert_eq(t.transport, SSH_T_OPENSSH);
    cr_assert_str_eq(t.user, "");
    cr_assert_str_eq(t.host, "::1");
    cr_assert_eq(t.port, 2200);
}

Test(sshuri, not_ssh)
{
    struct ssh_target t;
    char err[200] = "";

    cr_assert_eq(sshuri_parse("qemu:///system", &t, err, sizeof err), 0);
    cr_assert_eq(t.transport, SSH_T_NONE);
    cr_assert_eq(sshuri_parse("qemu+tls://h/system", &t, err, sizeof err), 0);
    cr_assert_eq(t.transport, SSH_T_NONE);
    cr_assert_eq(sshuri_parse("test:///default", &t, err, sizeof err), 0);
    cr_assert_eq(t.transport, SSH_T_NONE);
}

Test(sshuri, bad_port)
{
    struct ssh_target t;
    char err[200] = "";

    cr_assert_eq(sshuri_parse("qemu+libssh://h:99999/system", &t, err, sizeof err), -1);
    cr_assert(strstr(err, "port"));
}

/* ---- URI filling ---- */

Test(sshuri, fills_libssh_defaults)
{
    char out[1024];

    cr_assert_eq(sshuri_fill("qemu+libssh://root@h/system", "/home/a/.ssh/known_hosts", NULL, true, out, sizeof out),
                 0);
    cr_assert_str_eq(out, "qemu+libssh://root@h/system?known_hosts=/home/a/.ssh/known_hosts"
                          "&sshauth=agent,privkey,keyboard-interactive,password");
}

Test(sshuri, no_privkey_without_a_key)
{
    char out[1024];

    cr_assert_eq(sshuri_fill("qemu+libssh://h/system?socket=/r/s", "/kh", NULL, false, out, sizeof out), 0);
    cr_assert_str_eq(out, "qemu+libssh://h/system?socket=/r/s&known_hosts=/kh"
                          "&sshauth=agent,keyboard-interactive,password");
}

Test(sshuri, keeps_what_the_user_gave)
{
    char out[1024];

    cr_assert_eq(
        sshuri_fill("qemu+libssh://h/system?known_hosts=/mine&sshauth=password", "/kh", NULL, true, out, sizeof out),
        0);
    cr_assert_str_eq(out, "qemu+libssh://h/system?known_hosts=/mine&sshauth=password");
    /* names are case-insensitive, as libvirt reads them */
    cr_assert_eq(sshuri_fill("qemu+libssh://h/system?SSHAuth=agent&Known_Hosts=/x", "/kh", NULL, true, out, sizeof out),
                 0);
    cr_assert_str_eq(out, "qemu+libssh://h/system?SSHAuth=agent&Known_Hosts=/x");
}

Test(sshuri, escapes_paths)
{
    char out[1024];

    cr_assert_eq(
        sshuri_fill("qemu+libssh://h/system?sshauth=agent", "/home/a b/&x/known_hosts", NULL, true, out, sizeof out),
        0);
    cr_assert_str_eq(out, "qemu+libssh://h/system?sshauth=agent&known_hosts=/home/a%20b/%26x/known_hosts");
    char back[200];
    cr_assert_eq(sshuri_param(out, "known_hosts", back, sizeof back), 1);
    cr_assert_str_eq(back, "/home/a b/&x/known_hosts");
}

Test(sshuri, keyfile_from_the_config)
{
    char out[1024];

    cr_assert_eq(sshuri_fill("qemu+libssh://h/system", "/kh", "/home/a/.ssh/lab", false, out, sizeof out), 0);
    cr_assert_str_eq(out, "qemu+libssh://h/system?known_hosts=/kh&keyfile=/home/a/.ssh/lab"
                          "&sshauth=agent,privkey,keyboard-interactive,password");
    cr_assert_eq(sshuri_fill("qemu+libssh://h/system?keyfile=/mine", "/kh", "/cfg", false, out, sizeof out), 0);
    cr_assert_str_eq(out, "qemu+libssh://h/system?keyfile=/mine&known_hosts=/kh"
                          "&sshauth=agent,privkey,keyboard-interactive,password");
}

Test(sshuri, openssh_gets_no_tty)
{
    char out[1024];

    cr_assert_eq(sshuri_fill("qemu+ssh://u@h/system", "/kh", NULL, true, out, sizeof out), 0);
    cr_assert_str_eq(out, "qemu+ssh://u@h/system?no_tty=1");
    cr_assert_eq(sshuri_fill("qemu+ssh://u@h/system?no_tty=0", "/kh", NULL, true, out, sizeof out), 0);
    cr_assert_str_eq(out, "qemu+ssh://u@h/system?no_tty=0");
}

Test(sshuri, others_unchanged_and_bounded)
{
    char out[1024], tiny[20];

    cr_assert_eq(sshuri_fill("qemu:///system", "/kh", NULL, true, out, sizeof out), 0);
    cr_assert_str_eq(out, "qemu:///system");
    cr_assert_eq(sshuri_fill("qemu+libssh://h/system", "/kh", NULL, true, tiny, sizeof tiny), -1);
}

/* ---- known_hosts lines ---- */

static char *kh_file(const char *text)
{
    return test_write_tmp(text, strlen(text));
}

Test(knownhosts, names)
{
    char n[64];

    knownhosts_name("h", 22, n, sizeof n);
    cr_assert_str_eq(n, "h");
    knownhosts_name("127.0.0.1", 2222, n, sizeof n);
    cr_assert_str_eq(n, "[127.0.0.1]:2222");
}

Test(knownhosts, plain_line_with_type)
{
    char *p = kh_file("# comment\n\nother.example ssh-rsa AAAA\n"
                      "h.example,10.0.0.1 ssh-rsa AAAAB\n"
                      "h.example " KEY1 "\n");
    int line = 0;
    char err[200];

    cr_assert_eq(knownhosts_find(p, "h.example", 22, "ssh-ed25519", &line, err, sizeof err), 1);
    cr_assert_eq(line, 5);
    /* another type: the first line for the host */
    cr_assert_eq(knownhosts_find(p, "10.0.0.1", 22, "ecdsa-sha2-nistp256", &line, err, sizeof err), 1);
    cr_assert_eq(line, 4);
    cr_assert_eq(knownhosts_find(p, "nowhere", 22, NULL, &line, err, sizeof err), 0);
    unlink(p);
    free(p);
}

Test(knownhosts, port_brackets_and_wildcards)
{
    char *p = kh_file("[h]:2222 " KEY1 "\n*.lab " KEY1 "\n!bad.lab,*.lab ssh-rsa AAAA\n");
    int line = 0;
    char err[200];

    cr_assert_eq(knownhosts_find(p, "h", 2222, NULL, &line, err, sizeof err), 1);
    cr_assert_eq(line, 1);
    cr_assert_eq(knownhosts_find(p, "h", 22, NULL, &line, err, sizeof err), 0);
    cr_assert_eq(knownhosts_find(p, "x.LAB", 22, "ssh-rsa", &line, err, sizeof err), 1);
    cr_assert_eq(line, 3);
    /* negated on line 3: only line 2 names it */
    cr_assert_eq(knownhosts_find(p, "bad.lab", 22, "ssh-rsa", &line, err, sizeof err), 1);
    cr_assert_eq(line, 2);
    unlink(p);
    free(p);
}

Test(knownhosts, hashed_names_as_openssh_writes_them)
{
    /* ssh-keygen -H of "[127.0.0.1]:2222" and "lab1.example.org" */
    char *p = kh_file("@revoked * ssh-rsa AAAA\n"
                      "|1|Mrx7x28KaAajQhsWSJssIJGCamg=|dmUuZgeSzKPuIK6tT7la45nd4ag= " KEY1 "\n"
                      "|1|n2btYmAZQFOQB4ILAq4NOMDIYbU=|9vZhz5t0HCWzFn70WfZzYxyaLEY= " KEY1 "\n");
    int line = 0;
    char err[200];

    cr_assert_eq(knownhosts_find(p, "127.0.0.1", 2222, "ssh-ed25519", &line, err, sizeof err), 1);
    cr_assert_eq(line, 2);
    cr_assert_eq(knownhosts_find(p, "lab1.example.org", 22, NULL, &line, err, sizeof err), 1);
    cr_assert_eq(line, 3);
    cr_assert_eq(knownhosts_find(p, "lab2.example.org", 22, NULL, &line, err, sizeof err), 0);
    unlink(p);
    free(p);
}

/* A NUL byte in a line, or a line longer than any buffer, costs that line
 * only: the next one is read and the line numbers stay right. */
Test(knownhosts, nul_bytes_and_long_lines_keep_the_count)
{
    static const char head[] = "junk\0junk ssh-rsa AAAA\nh.example " KEY1 "\n";
    size_t longlen = 40000, n = sizeof head - 1;
    char *text = malloc(n + longlen + 64);
    cr_assert(text);
    memcpy(text, head, n);
    memset(text + n, 'a', longlen);
    n += longlen;
    n += (size_t)sprintf(text + n, " ssh-rsa AAAA\nh.example ssh-rsa AAAA\n");
    char *p = test_write_tmp(text, n);
    int line = 0;
    char err[200];

    cr_assert_eq(knownhosts_find(p, "h.example", 22, "ssh-ed25519", &line, err, sizeof err), 1);
    cr_assert_eq(line, 2, "the line after a NUL byte is line 2, found %d", line);
    cr_assert_eq(knownhosts_find(p, "h.example", 22, "ssh-rsa", &line, err, sizeof err), 1);
    cr_assert_eq(line, 4, "the line after a 40000-byte line is line 4, found %d", line);
    unlink(p);
    free(p);
    free(text);
}

/* Patterns with many stars against a long name take linear-ish time (the
 * recursive match took a minute on this line), and still match rightly. */
Test(knownhosts, many_stars_are_quick, .timeout = 10)
{
    char pat[128] = "", host[80];
    for (int i = 0; i < 20; i++)
        strcat(pat, "*a");
    memset(host, 'a', 60);
    host[60] = '\0';
    char text[512];
    snprintf(text, sizeof text, "%s*b ssh-rsa AAAA\n%s ssh-rsa AAAA\n*a?a*a ssh-rsa AAAA\n", pat, pat);
    char *p = kh_file(text);
    int line = 0;
    char err[200];

    cr_assert_eq(knownhosts_find(p, host, 22, NULL, &line, err, sizeof err), 1);
    cr_assert_eq(line, 2, "only line 2 matches 60 a's, found %d", line);
    cr_assert_eq(knownhosts_find(p, "xaya", 22, NULL, &line, err, sizeof err), 0);
    cr_assert_eq(knownhosts_find(p, "xayaza", 22, NULL, &line, err, sizeof err), 1);
    cr_assert_eq(line, 3);
    unlink(p);
    free(p);
}

Test(knownhosts, missing_file)
{
    int line = 0;
    char err[200] = "";

    cr_assert_eq(knownhosts_find("/nonexistent/known_hosts", "h", 22, NULL, &line, err, sizeof err), -1);
    cr_assert(strstr(err, "/nonexistent/known_hosts"));
}

Test(knownhosts, fingerprint)
{
    char fp[128];

    cr_assert_eq(ssh_fingerprint_of(KEY1 " comment", fp, sizeof fp), 0);
    cr_assert_str_eq(fp, KEY1_FP);
    cr_assert_eq(ssh_fingerprint_of("garbage", fp, sizeof fp), -1);
}

/* ---- config precedence ---- */

#define CONFIG                                                                                                         \
    "Host lab1\n  HostName 10.1.2.3\n  User cfguser\n  Port 2200\n"                                                    \
    "  IdentityFile ~/.ssh/lab_key\n  UserKnownHostsFile ~/kh_from_config\n"

Test(sshconfig, config_fills_what_the_uri_leaves_out)
{
    char *cfg = test_write_tmp(CONFIG, strlen(CONFIG));
    struct ssh_target t;
    struct ssh_resolved r;
    char err[200] = "";

    cr_assert_eq(sshuri_parse("qemu+libssh://lab1/system", &t, err, sizeof err), 0);
    cr_assert_eq(ssh_resolve(&t, "/home/tester", cfg, &r, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(r.hostname, "10.1.2.3");
    cr_assert_str_eq(r.host, "lab1");
    cr_assert_str_eq(r.user, "cfguser");
    cr_assert_eq(r.port, 2200);
    cr_assert_str_eq(r.keyfile, "/home/tester/.ssh/lab_key");
    cr_assert_str_eq(r.known_hosts, "/home/tester/kh_from_config");
    cr_assert_str_eq(r.ssh_dir, "/home/tester/.ssh");
    unlink(cfg);
    free(cfg);
}

Test(sshconfig, uri_wins_over_config)
{
    char *cfg = test_write_tmp(CONFIG, strlen(CONFIG));
    struct ssh_target t;
    struct ssh_resolved r;
    char err[200] = "";

    cr_assert_eq(
        sshuri_parse("qemu+libssh://bob@lab1:2022/system?keyfile=/k/id&known_hosts=/k/kh", &t, err, sizeof err), 0);
    cr_assert_eq(ssh_resolve(&t, "/home/tester", cfg, &r, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(r.hostname, "10.1.2.3");
    cr_assert_str_eq(r.user, "bob");
    cr_assert_eq(r.port, 2022);
    cr_assert_str_eq(r.keyfile, "/k/id");
    cr_assert_str_eq(r.known_hosts, "/k/kh");
    unlink(cfg);
    free(cfg);
}

Test(sshconfig, defaults_without_config)
{
    const char *empty = "# nothing\n";
    char *cfg = test_write_tmp(empty, strlen(empty));
    struct ssh_target t;
    struct ssh_resolved r;
    char err[200] = "";

    cr_assert_eq(sshuri_parse("qemu+libssh://other/system", &t, err, sizeof err), 0);
    cr_assert_eq(ssh_resolve(&t, "/home/tester", cfg, &r, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(r.hostname, "other");
    cr_assert_eq(r.port, 22);
    cr_assert_str_eq(r.keyfile, "");
    cr_assert_str_eq(r.known_hosts, "/home/tester/.ssh/known_hosts");
    cr_assert(r.user[0]);
    unlink(cfg);
    free(cfg);
}

Test(sshconfig, verify_modes_from_the_uri)
{
    const char *empty = "# nothing\n";
    char *cfg = test_write_tmp(empty, strlen(empty));
    struct ssh_target t;
    struct ssh_resolved r;
    char err[200] = "";

    cr_assert_eq(sshuri_parse("qemu+libssh://h/system", &t, err, sizeof err), 0);
    cr_assert_eq(ssh_resolve(&t, "/home/tester", cfg, &r, err, sizeof err), 0);
    cr_assert_eq(r.verify, SSH_VERIFY_NORMAL);
    cr_assert_eq(sshuri_parse("qemu+libssh://h/system?known_hosts_verify=ignore", &t, err, sizeof err), 0);
    cr_assert_eq(ssh_resolve(&t, "/home/tester", cfg, &r, err, sizeof err), 0);
    cr_assert_eq(r.verify, SSH_VERIFY_IGNORE);
    cr_assert_eq(sshuri_parse("qemu+libssh://h/system?known_hosts_verify=auto", &t, err, sizeof err), 0);
    cr_assert_eq(ssh_resolve(&t, "/home/tester", cfg, &r, err, sizeof err), 0);
    cr_assert_eq(r.verify, SSH_VERIFY_AUTO);
    cr_assert_eq(sshuri_parse("qemu+ssh://h/system?no_verify=1", &t, err, sizeof err), 0);
    cr_assert_eq(ssh_resolve(&t, "/home/tester", cfg, &r, err, sizeof err), 0);
    cr_assert_eq(r.verify, SSH_VERIFY_AUTO);
    unlink(cfg);
    free(cfg);
}
