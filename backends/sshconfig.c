/* backends/sshconfig.c: where an SSH session goes — the URI's user, port, key and
 * known_hosts over ~/.ssh/config and /etc/ssh/ssh_config (read by libssh's own
 * parser) — and OpenSSH-style SHA256 fingerprints. No network. */
#include "backends/ssh.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <libssh/libssh.h>

static bool is_default_identity(const char *p)
{
    return !p || strstr(p, "%d/id_") != NULL;
}

int ssh_resolve(const struct ssh_target *t, const char *home, const char *config,
                struct ssh_resolved *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    if (!home)
        home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : "/";
    }
    snprintf(r->host, sizeof r->host, "%s", t->host);
    snprintf(r->ssh_dir, sizeof r->ssh_dir, "%s/.ssh", home);
    if (strcasecmp(t->known_hosts_verify, "ignore") == 0)
        r->verify = SSH_VERIFY_IGNORE;
    else if (strcasecmp(t->known_hosts_verify, "auto") == 0 || t->no_verify)
        r->verify = SSH_VERIFY_AUTO;
    ssh_session ss = ssh_new();
    if (!ss) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int verbosity = SSH_LOG_NOLOG;
    ssh_options_set(ss, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
    ssh_options_set(ss, SSH_OPTIONS_HOST, t->host);
    ssh_options_set(ss, SSH_OPTIONS_SSH_DIR, r->ssh_dir);
    /* Config files first, then what the URI says on top: the URI wins
     * whatever libssh's parser does with options set before it. */
    if (config) {
        if (ssh_options_parse_config(ss, config) < 0) {
            snprintf(err, errlen, "%s: %s", config, ssh_get_error(ss));
            ssh_free(ss);
            return -1;
        }
    } else {
        char user_cfg[1100];
        snprintf(user_cfg, sizeof user_cfg, "%s/config", r->ssh_dir);
        if (access(user_cfg, R_OK) == 0 && ssh_options_parse_config(ss, user_cfg) < 0) {
            snprintf(err, errlen, "%s: %s", user_cfg, ssh_get_error(ss));
            ssh_free(ss);
            return -1;
        }
        if (access("/etc/ssh/ssh_config", R_OK) == 0)
            ssh_options_parse_config(ss, "/etc/ssh/ssh_config");
    }
    char *v = NULL;
    if (ssh_options_get(ss, SSH_OPTIONS_HOST, &v) == SSH_OK && v) {
        snprintf(r->hostname, sizeof r->hostname, "%s", v);
        ssh_string_free_char(v);
    } else {
        snprintf(r->hostname, sizeof r->hostname, "%s", t->host);
    }
    v = NULL;
    if (t->user[0]) {
        snprintf(r->user, sizeof r->user, "%s", t->user);
    } else if (ssh_options_get(ss, SSH_OPTIONS_USER, &v) == SSH_OK && v) {
        snprintf(r->user, sizeof r->user, "%s", v);
    } else {
        struct passwd *pw = getpwuid(getuid());
        snprintf(r->user, sizeof r->user, "%s", pw ? pw->pw_name : "root");
    }
    if (v)
        ssh_string_free_char(v);
    unsigned port = 22;
    ssh_options_get_port(ss, &port);
    r->port = t->port ? t->port : (int)port;
    v = NULL;
    if (t->keyfile[0])
        snprintf(r->keyfile, sizeof r->keyfile, "%s", t->keyfile);
    else if (ssh_options_get(ss, SSH_OPTIONS_IDENTITY, &v) == SSH_OK && v && !is_default_identity(v))
        snprintf(r->keyfile, sizeof r->keyfile, "%s", v);
    if (v)
        ssh_string_free_char(v);
    v = NULL;
    if (t->known_hosts[0])
        snprintf(r->known_hosts, sizeof r->known_hosts, "%s", t->known_hosts);
    else if (ssh_options_get(ss, SSH_OPTIONS_KNOWNHOSTS, &v) == SSH_OK && v && !strstr(v, "%d"))
        snprintf(r->known_hosts, sizeof r->known_hosts, "%s", v);
    else
        snprintf(r->known_hosts, sizeof r->known_hosts, "%s/known_hosts", r->ssh_dir);
    if (v)
        ssh_string_free_char(v);
    /* "~/" in a config value means the user's home, $HOME here. */
    char tmp[1100];
    if (strncmp(r->known_hosts, "~/", 2) == 0) {
        snprintf(tmp, sizeof tmp, "%s/%s", home, r->known_hosts + 2);
        snprintf(r->known_hosts, sizeof r->known_hosts, "%s", tmp);
    }
    if (strncmp(r->keyfile, "~/", 2) == 0) {
        snprintf(tmp, sizeof tmp, "%s/%s", home, r->keyfile + 2);
        snprintf(r->keyfile, sizeof r->keyfile, "%s", tmp);
    }
    ssh_free(ss);
    return 0;
}

int ssh_fingerprint_of(const char *line, char *out, size_t outlen)
{
    char type[64], b64[8192];
    if (sscanf(line, "%63s %8191s", type, b64) != 2)
        return -1;
    ssh_key key = NULL;
    if (ssh_pki_import_pubkey_base64(b64, ssh_key_type_from_name(type), &key) != SSH_OK)
        return -1;
    int rc = ssh_key_fingerprint(key, out, outlen);
    ssh_key_free(key);
    return rc;
}

int ssh_key_fingerprint(ssh_key key, char *out, size_t outlen)
{
    unsigned char *hash = NULL;
    size_t hlen = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) < 0)
        return -1;
    char *fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
    ssh_clean_pubkey_hash(&hash);
    if (!fp)
        return -1;
    snprintf(out, outlen, "%s", fp);
    ssh_string_free_char(fp);
    return 0;
}

