/* policy/define.h: what a student's define is made of — a checked name, an
 * image inside the student's directory, and a domain XML built by the server
 * from an operator's template (no XML from a student ever reaches libvirt) —
 * and the owner read back from a domain's XML.
 *
 * Ownership lives in the domain XML's <metadata>, in virtmux's namespace:
 *
 *   <metadata>
 *     <virtmux:owner xmlns:virtmux="https://virtmux.example/ns/owner/1"
 *                    uid="1001" user="alice"/>
 *   </metadata>
 *
 * libvirt keeps <metadata> children that are in a namespace of their own
 * (one top-level element per namespace; elements without a namespace are
 * dropped), across define, dumpxml and migration. Read it back without
 * the whole XML with
 *   virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, DEFINE_OWNER_NS,
 *                        VIR_DOMAIN_AFFECT_CONFIG)
 * which returns the element alone and without its namespace (libvirt strips
 * it: "<owner uid='1001' user='alice'/>"; define_owner_from_xml reads that
 * too — it can only be ours, libvirt selected it by our URI), or
 * NULL with VIR_ERR_NO_DOMAIN_METADATA when there is none. Write it to an
 * existing domain with virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
 * define_owner_element(...), "virtmux", DEFINE_OWNER_NS, flags).
 * The domain's name is OWNER-NAME as well, so people see the owner; a domain
 * whose name and metadata disagree (define_owner_consistent) is refused. */
#ifndef VIRTMUX_POLICY_DEFINE_H
#define VIRTMUX_POLICY_DEFINE_H

#include <stddef.h>
#include <sys/types.h>

#define DEFINE_OWNER_NS "https://virtmux.example/ns/owner/1"
#define DEFINE_OWNER_PREFIX "virtmux"
#define DEFINE_NAME_MAX 48

/* A student's NAME (before the OWNER- prefix): 1..DEFINE_NAME_MAX bytes of
 * letters, digits, '.', '_', '-' and '+', not starting with '-' or '.'.
 * 0, or -1 with why (e.g. "a name may not contain '/'"). */
int define_name_ok(const char *name, char *err, size_t errlen);

/* An image a student names for a define. path is relative to images_dir,
 * or absolute inside it; it must be a regular file owned by uid, reached
 * from images_dir without '..' and without a symlink on the way (each
 * component opened with openat(O_NOFOLLOW); images_dir itself must not be a
 * symlink either). resolved gets the absolute path to give libvirt. 0, or
 * -1 with why.
 * The student owns the directory and may swap a file for a symlink after
 * this check: call it again right before each start, and let libvirt's
 * security driver (dynamic_ownership, the qemu user) be the second wall. */
int define_image_check(const char *images_dir, const char *path, uid_t uid, char *resolved, size_t rlen, char *err,
                       size_t errlen);

/* What a template must be: a <domain> XML with exactly one disk of
 * device='disk' (device omitted counts as 'disk'), of type='file'; other
 * disks only as device='cdrom' or 'floppy'. 0, or -1 with why. */
int define_template_check(const char *template_xml, char *err, size_t errlen);

/* A new domain XML from a template: <name>OWNER-NAME</name>, <uuid> from
 * uuid, the disk's <source file='IMAGE'/> (its <backingStore> dropped), the
 * template's own <name>, <uuid>, sysinfo uuid entry, <genid>, interface
 * <mac>s (libvirt makes fresh ones: 240 copies of one MAC would collide)
 * and any owner element of ours in <metadata> removed, and our owner
 * element added. image_path NULL keeps the template's source. The caller
 * checks name and image first. Caller frees; NULL with why. */
char *define_xml_from_template(const char *template_xml, const char *owner, uid_t uid, const char *name,
                               const unsigned char uuid[16], const char *image_path, char *err, size_t errlen);

/* The owner recorded in a domain's XML: the whole domain (our element in
 * its <metadata>, by namespace), or the element virDomainGetMetadata
 * returns (a root <owner>, namespace stripped or not). 0 found; 1 no owner
 * element; -1 malformed (XML that does not parse, two owner elements, a
 * missing or bad uid or user, a user that does not fit in ulen). */
int define_owner_from_xml(const char *xml, char *user, size_t ulen, uid_t *uid);

/* 1 when domain_name is "OWNER-" followed by at least one byte, else 0. */
int define_owner_consistent(const char *domain_name, const char *owner_user);

/* The owner of a domain, decided once per request from what libvirt says:
 * md is virDomainGetMetadata(ELEMENT, DEFINE_OWNER_NS)'s answer (NULL when
 * it failed with VIR_ERR_NO_DOMAIN_METADATA), name the domain's name.
 * 0: owned by user/uid, name and metadata agree. 1: no owner (an operator's
 * domain; no student reaches it). -1: refuse and log why (bad metadata, or
 * "domain bob-vm1 is named for another owner than alice"). */
int define_domain_owner(const char *name, const char *md, char *user, size_t ulen, uid_t *uid, char *why,
                        size_t whylen);

/* The owner element alone, for virDomainSetMetadata. Caller frees. */
char *define_owner_element(const char *owner, uid_t uid);

/* A random (version 4) UUID, and its 36-character text form. 0 or -1. */
int define_uuid_random(unsigned char uuid[16]);
void define_uuid_format(const unsigned char uuid[16], char out[37]);

#endif
