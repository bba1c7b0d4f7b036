/*
 * unit.c - tests of the pure modules: proto, perm, ticket, lockout.
 * Prints one PASS/FAIL line per check, like the shell tests.
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

#include "lockout.h"
#include "perm.h"
#include "proto.h"
#include "ticket.h"

static int failures;

#define CHECK(name, cond) do {						\
	if (cond)							\
		printf("PASS: unit %s\n", name);			\
	else {								\
		printf("FAIL: unit %s - %s:%d: %s\n", name, __FILE__,	\
		    __LINE__, #cond);					\
		failures++;						\
	}								\
} while (0)

static void
test_getline(void)
{
	char	 big[PROTO_LINE_MAX + 10];
	size_t	 len = 0, used = 0;

	CHECK("getline crlf", proto_getline("USER a\r\nX", 9, &len, &used) ==
	    PROTO_LINE && len == 6 && used == 8);
	CHECK("getline lf", proto_getline("QUIT\n", 5, &len, &used) ==
	    PROTO_LINE && len == 4 && used == 5);
	CHECK("getline partial", proto_getline("USER a", 6, &len, &used) ==
	    PROTO_NEED_MORE);
	memset(big, 'A', sizeof(big));
	CHECK("getline too long", proto_getline(big, sizeof(big), &len,
	    &used) == PROTO_TOO_LONG);
	big[PROTO_LINE_MAX] = '\r';
	big[PROTO_LINE_MAX + 1] = '\n';
	CHECK("getline longest", proto_getline(big, sizeof(big), &len,
	    &used) == PROTO_LINE && len == PROTO_LINE_MAX);
}

static void
test_split(void)
{
	struct proto_cmd	 cmd;

	CHECK("split verb arg", proto_split("user alice", 10, &cmd) == 0 &&
	    strcmp(cmd.verb, "USER") == 0 && cmd.arglen == 5 &&
	    memcmp(cmd.arg, "alice", 5) == 0);
	CHECK("split no arg", proto_split("QUIT", 4, &cmd) == 0 &&
	    cmd.arg == NULL);
	CHECK("split pass spaces", proto_split("PASS a b ", 9, &cmd) == 0 &&
	    cmd.arglen == 4);
	CHECK("split empty", proto_split("", 0, &cmd) < 0);
	CHECK("split nul", proto_split("US\0R", 4, &cmd) < 0);
	CHECK("split binary", proto_split("\x01\xff", 2, &cmd) < 0);
	CHECK("split digit verb", proto_split("US3R x", 6, &cmd) < 0);
	CHECK("split long verb", proto_split("ABCDEFGHIJKLMN", 14, &cmd) < 0);
	CHECK("user valid", proto_valid_user("a.b-c_d@x", 9));
	CHECK("user domain", proto_valid_user("DOM\\bob", 7));
	CHECK("user space", !proto_valid_user("a b", 3));
	CHECK("user dash", !proto_valid_user("-x", 2));
	CHECK("user empty", !proto_valid_user("", 0));
	CHECK("pass ctl", !proto_valid_pass("a\tb", 3));
	CHECK("pass utf8", proto_valid_pass("p\xc3\xa4ss word", 10));
	CHECK("token", proto_valid_token("0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", 64));
	CHECK("token upper", !proto_valid_token("0123456789ABCDEF0123456789"
	    "abcdef0123456789abcdef0123456789abcdef", 64));
}

static int
level(const struct perm_set *ps, const char *user, const char *group,
    const char *vmx)
{
	const char	*groups[1] = { group };

	return perm_access(ps, user, groups, group ? 1 : 0, vmx);
}

static void
test_perm(void)
{
	static const char text[] =
	    "# comment\n"
	    "\n"
	    "alice   /vms/web-*.vmx   operate   # trailing\n"
	    "@ops    *                admin\n"
	    "*       \"/vms/Public VMs/*\" read\n"
	    "mallory *                none\n"
	    "@ops    /vms/secret.vmx  none\n";
	struct perm_set	 ps;
	size_t		 line = 0;

	CHECK("perm parse", perm_parse(text, sizeof(text) - 1, &ps,
	    &line) == 0 && ps.nrules == 5);
	CHECK("perm user glob", level(&ps, "alice", NULL,
	    "/vms/web-1.vmx") == PERM_OPERATE);
	CHECK("perm user nomatch", level(&ps, "alice", NULL,
	    "/vms/db.vmx") == PERM_NONE);
	CHECK("perm group", level(&ps, "bob", "ops", "/vms/db.vmx") ==
	    PERM_ADMIN);
	CHECK("perm highest wins", level(&ps, "alice", "ops",
	    "/vms/web-1.vmx") == PERM_ADMIN);
	CHECK("perm quoted glob", level(&ps, "zed", NULL,
	    "/vms/Public VMs/x/y.vmx") == PERM_READ);
	CHECK("perm deny user", level(&ps, "mallory", NULL,
	    "/vms/Public VMs/a.vmx") == PERM_NONE);
	CHECK("perm deny group", level(&ps, "bob", "ops",
	    "/vms/secret.vmx") == PERM_NONE);
	perm_free(&ps);
	CHECK("perm bad level", perm_parse("a * root\n", 9, &ps, &line) < 0 &&
	    line == 1);
	CHECK("perm missing field", perm_parse("\n\na *\n", 6, &ps,
	    &line) < 0 && line == 3);
	CHECK("perm extra field", perm_parse("a * read x\n", 11, &ps,
	    &line) < 0);
	CHECK("perm open quote", perm_parse("a \"/x read\n", 11, &ps,
	    &line) < 0);
	CHECK("perm bad subject", perm_parse("@ * read\n", 9, &ps,
	    &line) < 0);
	CHECK("perm empty file", perm_parse("", 0, &ps, &line) == 0 &&
	    ps.nrules == 0);
	perm_free(&ps);
}

static void
test_ticket(void)
{
	struct ticket_store	 ts;
	char			 t1[TICKET_HEX_LEN + 1], t2[TICKET_HEX_LEN + 1];
	char			 user[PROTO_USER_MAX + 1];
	time_t			 left;

	CHECK("ticket init", ticket_init(&ts, 2, 60) == 0);
	CHECK("ticket issue", ticket_issue(&ts, "alice", 1000, t1) == 0 &&
	    proto_valid_token(t1, strlen(t1)));
	CHECK("ticket verify", ticket_verify(&ts, t1, 1010, user, &left) ==
	    0 && strcmp(user, "alice") == 0 && left == 50);
	CHECK("ticket second", ticket_issue(&ts, "bob", 1000, t2) == 0 &&
	    strcmp(t1, t2) != 0);
	CHECK("ticket full", ticket_issue(&ts, "carol", 1000, t2) ==
	    -ENOSPC);
	CHECK("ticket expired", ticket_verify(&ts, t1, 1060, user,
	    &left) == -ENOENT);
	CHECK("ticket slot reused", ticket_issue(&ts, "carol", 1061,
	    t1) == 0);
	CHECK("ticket revoke", ticket_revoke(&ts, t1) == 0 &&
	    ticket_verify(&ts, t1, 1062, user, &left) == -ENOENT);
	CHECK("ticket revoke twice", ticket_revoke(&ts, t1) == -ENOENT);
	CHECK("ticket garbage", ticket_verify(&ts, "zz", 1062, user,
	    &left) == -ENOENT);
	CHECK("ticket revoke user", ticket_revoke_user(&ts, "bob") == 1);
	ticket_free(&ts);
}

static void
test_lockout(void)
{
	struct lockout	 lo;

	CHECK("lockout init", lockout_init(&lo, 2, 3, 60, 30) == 0);
	lockout_fail(&lo, "u:a", 100);
	lockout_fail(&lo, "u:a", 101);
	CHECK("lockout below threshold",
	    lockout_remaining(&lo, "u:a", 102) == 0);
	CHECK("lockout locks", lockout_fail(&lo, "u:a", 102) == 1 &&
	    lockout_remaining(&lo, "u:a", 102) == 30);
	CHECK("lockout expires", lockout_remaining(&lo, "u:a", 132) == 0);
	lockout_fail(&lo, "u:b", 100);
	lockout_fail(&lo, "u:b", 200);
	lockout_fail(&lo, "u:b", 300);
	CHECK("lockout window", lockout_remaining(&lo, "u:b", 300) == 0);
	lockout_success(&lo, "u:b");
	lockout_fail(&lo, "u:c", 400);
	lockout_fail(&lo, "u:d", 400);
	CHECK("lockout table full evicts", lockout_remaining(&lo, "u:d",
	    400) == 0);
	lockout_free(&lo);
	CHECK("lockout bad init", lockout_init(&lo, 0, 3, 1, 1) < 0);
}

int
main(void)
{
	test_getline();
	test_split();
	test_perm();
	test_ticket();
	test_lockout();
	return failures != 0;
}
