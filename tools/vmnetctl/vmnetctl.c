// SPDX-License-Identifier: GPL-2.0
/*
 * vmnetctl: command line for the vmnet virtual switch, over its generic
 * netlink family "vmnet" (kmod/include/uapi/vmnet.h) with libnl-genl-3.
 *
 *   vmnetctl create SWITCH | destroy SWITCH | list
 *   vmnetctl hostif SWITCH [IFNAME] | uplink SWITCH IFNAME
 *   vmnetctl detach SWITCH PORT|IFNAME
 *   vmnetctl show [SWITCH]
 *   vmnetctl set SWITCH PORT [vlan N|trunk] [policy LIST] [rate B/s] [burst B]
 *   vmnetctl monitor
 *
 * Errors print the kernel's errno and its extack message; the exit status
 * is 1 for them, 2 for bad usage.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <uapi/vmnet.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct vc {
	struct nl_sock *sk;
	int family;
	const char *prog;
};

/* The state of one request: done when the ack, the dump's end or an error
 * arrived. */
struct vc_req {
	int err;		/* negative errno from the kernel */
	char msg[256];		/* its extack message */
	bool done;
	int (*fn)(struct nlattr **a, void *arg);
	void *arg;
};

static struct nla_policy vc_policy[VMNET_ATTR_MAX + 1] = {
	[VMNET_ATTR_SWITCH_NAME] = { .type = NLA_STRING },
	[VMNET_ATTR_PORT_ID] = { .type = NLA_U32 },
	[VMNET_ATTR_PORT_KIND] = { .type = NLA_U32 },
	[VMNET_ATTR_IFNAME] = { .type = NLA_STRING },
	[VMNET_ATTR_MAC] = { .minlen = 6 },
	[VMNET_ATTR_VLAN] = { .type = NLA_U16 },
	[VMNET_ATTR_POLICY] = { .type = NLA_U32 },
	[VMNET_ATTR_RATE] = { .type = NLA_U64 },
	[VMNET_ATTR_BURST] = { .type = NLA_U32 },
	[VMNET_ATTR_FLAGS] = { .type = NLA_U32 },
	[VMNET_ATTR_STATS] = { .type = NLA_NESTED },
	[VMNET_ATTR_EVENT] = { .type = NLA_U32 },
	[VMNET_ATTR_PORT_COUNT] = { .type = NLA_U32 },
	[VMNET_ATTR_FDB_COUNT] = { .type = NLA_U32 },
};

static int vc_valid(struct nl_msg *msg, void *arg)
{
	struct vc_req *req = arg;
	struct nlattr *a[VMNET_ATTR_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, a, VMNET_ATTR_MAX, vc_policy)) {
		fprintf(stderr, "vmnetctl: malformed message from the kernel\n");
		return NL_SKIP;
	}
	return req->fn ? req->fn(a, req->arg) : NL_OK;
}

/* The kernel's error, with the extack message when it sent one (the
 * socket asked for NETLINK_EXT_ACK and NETLINK_CAP_ACK). */
static int vc_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct vc_req *req = arg;
	struct nlattr *a;
	int len, rem;

	(void)nla;
	req->err = e->error;
	req->done = true;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	a = (struct nlattr *)((char *)e + sizeof(*e));
	len = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(*e);
	nla_for_each_attr(a, a, len, rem)
		if (nla_type(a) == NLMSGERR_ATTR_MSG)
			snprintf(req->msg, sizeof(req->msg), "%.*s",
				 nla_len(a), (char *)nla_data(a));
	return NL_STOP;
}

static int vc_finish(struct nl_msg *msg, void *arg)
{
	struct vc_req *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

/* Send msg (consumed) and read answers until the request is done. */
static int vc_talk(struct vc *vc, struct nl_msg *msg, struct vc_req *req)
{
	struct nl_cb *cb;
	int ret;

	ret = nl_send_auto(vc->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		req->err = -EIO;
		snprintf(req->msg, sizeof(req->msg), "send: %s",
			 nl_geterror(ret));
		return req->err;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return req->err = -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, vc_valid, req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, vc_finish, req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, vc_finish, req);
	nl_cb_err(cb, NL_CB_CUSTOM, vc_error, req);
	while (!req->done) {
		ret = nl_recvmsgs(vc->sk, cb);
		if (ret < 0 && !req->done) {
			req->err = -EIO;
			snprintf(req->msg, sizeof(req->msg), "receive: %s",
				 nl_geterror(ret));
			break;
		}
	}
	nl_cb_put(cb);
	return req->err;
}

static struct nl_msg *vc_msg(struct vc *vc, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, vc->family,
				 0, flags, cmd, VMNET_GENL_VERSION)) {
		fprintf(stderr, "%s: out of memory\n", vc->prog);
		exit(1);
	}
	return msg;
}

static int vc_report(struct vc *vc, const char *what, struct vc_req *req)
{
	if (!req->err)
		return 0;
	fprintf(stderr, "%s: %s: %s%s%s\n", vc->prog, what,
		strerror(-req->err), req->msg[0] ? ": " : "", req->msg);
	return 1;
}

static int vc_open(struct vc *vc)
{
	int one = 1, ret;

	vc->sk = nl_socket_alloc();
	if (!vc->sk)
		return -ENOMEM;
	ret = genl_connect(vc->sk);
	if (ret < 0) {
		fprintf(stderr, "%s: netlink: %s\n", vc->prog, nl_geterror(ret));
		return -EIO;
	}
	setsockopt(nl_socket_get_fd(vc->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(vc->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	vc->family = genl_ctrl_resolve(vc->sk, VMNET_GENL_NAME);
	if (vc->family < 0) {
		fprintf(stderr, "%s: generic netlink family \"%s\" not found: is vmnet.ko loaded?\n",
			vc->prog, VMNET_GENL_NAME);
		return -ENOENT;
	}
	return 0;
}

/*
 * Output.
 */

static const char *vc_kind(uint32_t kind)
{
	switch (kind) {
	case VMNET_PORT_VM: return "vm";
	case VMNET_PORT_HOSTIF: return "hostif";
	case VMNET_PORT_UPLINK: return "uplink";
	}
	return "?";
}

static const char *vc_event(uint32_t ev)
{
	switch (ev) {
	case VMNET_EVENT_ATTACH: return "attach";
	case VMNET_EVENT_DETACH: return "detach";
	case VMNET_EVENT_CARRIER_UP: return "carrier-up";
	case VMNET_EVENT_CARRIER_DOWN: return "carrier-down";
	}
	return "?";
}

static const char *vc_str(struct nlattr *a)
{
	return a ? nla_get_string(a) : "-";
}

static uint32_t vc_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

/* Events are not answers to a request: no sequence numbers to check. */
static int vc_no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int vc_print_switch(struct nlattr **a, void *arg)
{
	(void)arg;
	printf("%-15s %5u %5u\n", vc_str(a[VMNET_ATTR_SWITCH_NAME]),
	       vc_u32(a[VMNET_ATTR_PORT_COUNT]),
	       vc_u32(a[VMNET_ATTR_FDB_COUNT]));
	return NL_OK;
}

static void vc_policy_str(uint32_t p, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", p & VMNET_POLICY_FORGED ? "forged" : "",
		 (p & VMNET_POLICY_ALL) == VMNET_POLICY_ALL ? "," : "",
		 p & VMNET_POLICY_PROMISC ? "promisc" : "");
	if (!buf[0])
		snprintf(buf, size, "none");
}

static int vc_print_port(struct nlattr **a, void *arg)
{
	static struct nla_policy stat_policy[VMNET_STAT_MAX + 1];
	struct nlattr *st[VMNET_STAT_MAX + 1] = { 0 };
	const char *filter = arg;
	uint8_t *m = a[VMNET_ATTR_MAC] ? nla_data(a[VMNET_ATTR_MAC]) : NULL;
	uint8_t zero[6] = { 0 };
	char vlan[8], pol[20];
	uint64_t s[VMNET_STAT_MAX + 1] = { 0 };
	int i;

	if (filter && strcmp(filter, vc_str(a[VMNET_ATTR_SWITCH_NAME])))
		return NL_OK;
	if (!m)
		m = zero;
	if (a[VMNET_ATTR_STATS] &&
	    !nla_parse_nested(st, VMNET_STAT_MAX, a[VMNET_ATTR_STATS],
			      stat_policy))
		for (i = 1; i <= VMNET_STAT_MAX; i++)
			if (st[i] && nla_len(st[i]) == 8)
				s[i] = nla_get_u64(st[i]);
	if (a[VMNET_ATTR_VLAN] && nla_get_u16(a[VMNET_ATTR_VLAN]) ==
	    VMNET_VLAN_TRUNK)
		snprintf(vlan, sizeof(vlan), "trunk");
	else
		snprintf(vlan, sizeof(vlan), "%u", a[VMNET_ATTR_VLAN] ?
			 nla_get_u16(a[VMNET_ATTR_VLAN]) : 0);
	vc_policy_str(vc_u32(a[VMNET_ATTR_POLICY]), pol, sizeof(pol));
	printf("%-15s %4u %-6s %-15s %02x:%02x:%02x:%02x:%02x:%02x %-5s %-14s %10llu %8u %10llu %12llu %10llu %12llu %8llu %8llu\n",
	       vc_str(a[VMNET_ATTR_SWITCH_NAME]), vc_u32(a[VMNET_ATTR_PORT_ID]),
	       vc_kind(vc_u32(a[VMNET_ATTR_PORT_KIND])),
	       vc_str(a[VMNET_ATTR_IFNAME]), m[0], m[1], m[2], m[3], m[4], m[5],
	       vlan, pol, a[VMNET_ATTR_RATE] ?
	       (unsigned long long)nla_get_u64(a[VMNET_ATTR_RATE]) : 0ULL,
	       vc_u32(a[VMNET_ATTR_BURST]),
	       (unsigned long long)s[VMNET_STAT_RX_PACKETS],
	       (unsigned long long)s[VMNET_STAT_RX_BYTES],
	       (unsigned long long)s[VMNET_STAT_TX_PACKETS],
	       (unsigned long long)s[VMNET_STAT_TX_BYTES],
	       (unsigned long long)s[VMNET_STAT_RX_DROPS],
	       (unsigned long long)s[VMNET_STAT_TX_DROPS]);
	return NL_OK;
}

static int vc_print_new_port(struct nlattr **a, void *arg)
{
	(void)arg;
	printf("%s port %u %s\n", vc_str(a[VMNET_ATTR_SWITCH_NAME]),
	       vc_u32(a[VMNET_ATTR_PORT_ID]), vc_str(a[VMNET_ATTR_IFNAME]));
	return NL_OK;
}

static int vc_print_event(struct nlattr **a, void *arg)
{
	(void)arg;
	printf("%s port %u %s %s %s\n", vc_str(a[VMNET_ATTR_SWITCH_NAME]),
	       vc_u32(a[VMNET_ATTR_PORT_ID]),
	       vc_kind(vc_u32(a[VMNET_ATTR_PORT_KIND])),
	       vc_str(a[VMNET_ATTR_IFNAME]),
	       vc_event(vc_u32(a[VMNET_ATTR_EVENT])));
	fflush(stdout);
	return NL_OK;
}

/*
 * Commands: each gets its arguments after the verb.
 */

static int vc_usage(struct vc *vc);

static int vc_switch_cmd(struct vc *vc, uint8_t cmd, char **argv, int argc,
			 const char *what)
{
	struct vc_req req = { 0 };
	struct nl_msg *msg;

	if (argc != 1)
		return vc_usage(vc);
	msg = vc_msg(vc, cmd, 0);
	nla_put_string(msg, VMNET_ATTR_SWITCH_NAME, argv[0]);
	vc_talk(vc, msg, &req);
	return vc_report(vc, what, &req);
}

static int vc_create(struct vc *vc, char **argv, int argc)
{
	return vc_switch_cmd(vc, VMNET_CMD_NEW_SWITCH, argv, argc,
			     "create switch");
}

static int vc_destroy(struct vc *vc, char **argv, int argc)
{
	return vc_switch_cmd(vc, VMNET_CMD_DEL_SWITCH, argv, argc,
			     "destroy switch");
}

static int vc_list(struct vc *vc, char **argv, int argc)
{
	struct vc_req req = { .fn = vc_print_switch };

	(void)argv;
	if (argc)
		return vc_usage(vc);
	printf("%-15s %5s %5s\n", "switch", "ports", "fdb");
	vc_talk(vc, vc_msg(vc, VMNET_CMD_GET_SWITCH, NLM_F_DUMP), &req);
	return vc_report(vc, "list switches", &req);
}

static int vc_show(struct vc *vc, char **argv, int argc)
{
	struct vc_req req = { .fn = vc_print_port };

	if (argc > 1)
		return vc_usage(vc);
	req.arg = argc ? argv[0] : NULL;
	printf("%-15s %4s %-6s %-15s %-17s %-5s %-14s %10s %8s %10s %12s %10s %12s %8s %8s\n",
	       "switch", "port", "kind", "ifname", "mac", "vlan", "policy",
	       "rate_Bps", "burst", "rx_pkts", "rx_bytes", "tx_pkts",
	       "tx_bytes", "rx_drops", "tx_drops");
	vc_talk(vc, vc_msg(vc, VMNET_CMD_GET_PORT, NLM_F_DUMP), &req);
	return vc_report(vc, "list ports", &req);
}

static int vc_netdev_port(struct vc *vc, uint8_t cmd, char **argv, int argc,
			  const char *what)
{
	struct vc_req req = { .fn = vc_print_new_port };
	struct nl_msg *msg;

	if (argc < 1 || argc > 2 || (cmd == VMNET_CMD_NEW_UPLINK && argc != 2))
		return vc_usage(vc);
	msg = vc_msg(vc, cmd, 0);
	nla_put_string(msg, VMNET_ATTR_SWITCH_NAME, argv[0]);
	if (argc == 2)
		nla_put_string(msg, VMNET_ATTR_IFNAME, argv[1]);
	vc_talk(vc, msg, &req);
	return vc_report(vc, what, &req);
}

static int vc_hostif(struct vc *vc, char **argv, int argc)
{
	return vc_netdev_port(vc, VMNET_CMD_NEW_HOSTIF, argv, argc,
			      "add host adapter");
}

static int vc_uplink(struct vc *vc, char **argv, int argc)
{
	return vc_netdev_port(vc, VMNET_CMD_NEW_UPLINK, argv, argc,
			      "attach uplink");
}

/* A port number, or else an interface name. */
static void vc_put_port(struct nl_msg *msg, const char *s)
{
	char *end;
	unsigned long id = strtoul(s, &end, 10);

	if (*s && !*end && id <= UINT32_MAX)
		nla_put_u32(msg, VMNET_ATTR_PORT_ID, id);
	else
		nla_put_string(msg, VMNET_ATTR_IFNAME, s);
}

static int vc_detach(struct vc *vc, char **argv, int argc)
{
	struct vc_req req = { 0 };
	struct nl_msg *msg;

	if (argc != 2)
		return vc_usage(vc);
	msg = vc_msg(vc, VMNET_CMD_DEL_PORT, 0);
	nla_put_string(msg, VMNET_ATTR_SWITCH_NAME, argv[0]);
	vc_put_port(msg, argv[1]);
	vc_talk(vc, msg, &req);
	return vc_report(vc, "detach port", &req);
}

static bool vc_number(const char *s, unsigned long long max,
		      unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return *s && *s != '-' && !*end && !errno && *v <= max;
}

static bool vc_parse_policy(const char *s, uint32_t *p)
{
	char buf[64], *tok, *save;

	*p = 0;
	if (!strcmp(s, "none"))
		return true;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "forged"))
			*p |= VMNET_POLICY_FORGED;
		else if (!strcmp(tok, "promisc"))
			*p |= VMNET_POLICY_PROMISC;
		else
			return false;
	}
	return true;
}

/* One "key value" pair of `set`; false if it is not understood. */
static bool vc_set_one(struct nl_msg *msg, const char *key, const char *val)
{
	unsigned long long v;
	uint32_t p;

	if (!strcmp(key, "vlan")) {
		if (!strcmp(val, "trunk"))
			v = VMNET_VLAN_TRUNK;
		else if (!vc_number(val, 0xffff, &v))
			return false;
		nla_put_u16(msg, VMNET_ATTR_VLAN, v);
	} else if (!strcmp(key, "policy")) {
		if (!vc_parse_policy(val, &p))
			return false;
		nla_put_u32(msg, VMNET_ATTR_POLICY, p);
	} else if (!strcmp(key, "rate")) {
		if (!vc_number(val, UINT64_MAX, &v))
			return false;
		nla_put_u64(msg, VMNET_ATTR_RATE, v);
	} else if (!strcmp(key, "burst")) {
		if (!vc_number(val, UINT32_MAX, &v))
			return false;
		nla_put_u32(msg, VMNET_ATTR_BURST, v);
	} else {
		return false;
	}
	return true;
}

static int vc_set(struct vc *vc, char **argv, int argc)
{
	struct vc_req req = { 0 };
	struct nl_msg *msg;
	int i;

	if (argc < 4 || argc % 2)
		return vc_usage(vc);
	msg = vc_msg(vc, VMNET_CMD_SET_PORT, 0);
	nla_put_string(msg, VMNET_ATTR_SWITCH_NAME, argv[0]);
	vc_put_port(msg, argv[1]);
	for (i = 2; i < argc; i += 2) {
		if (!vc_set_one(msg, argv[i], argv[i + 1])) {
			fprintf(stderr, "%s: set: bad setting \"%s %s\"\n",
				vc->prog, argv[i], argv[i + 1]);
			nlmsg_free(msg);
			return 2;
		}
	}
	vc_talk(vc, msg, &req);
	return vc_report(vc, "set port", &req);
}

static int vc_monitor(struct vc *vc, char **argv, int argc)
{
	struct vc_req req = { .fn = vc_print_event };
	struct nl_cb *cb;
	int grp, ret;

	(void)argv;
	if (argc)
		return vc_usage(vc);
	grp = genl_ctrl_resolve_grp(vc->sk, VMNET_GENL_NAME, VMNET_MCGRP_LINK);
	if (grp < 0) {
		fprintf(stderr, "%s: no multicast group \"%s\": %s\n",
			vc->prog, VMNET_MCGRP_LINK, nl_geterror(grp));
		return 1;
	}
	ret = nl_socket_add_membership(vc->sk, grp);
	if (ret < 0) {
		fprintf(stderr, "%s: join \"%s\": %s\n", vc->prog,
			VMNET_MCGRP_LINK, nl_geterror(ret));
		return 1;
	}
	printf("monitoring vmnet link events\n");
	fflush(stdout);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return 1;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, vc_valid, &req);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, vc_no_seq_check, NULL);
	for (;;) {
		ret = nl_recvmsgs(vc->sk, cb);
		if (ret < 0 && ret != -NLE_INTR && ret != -NLE_AGAIN) {
			fprintf(stderr, "%s: monitor: %s\n", vc->prog,
				nl_geterror(ret));
			break;
		}
	}
	nl_cb_put(cb);
	return 1;
}

struct vc_cmd {
	const char *name;
	int (*fn)(struct vc *vc, char **argv, int argc);
	const char *args;
};

static const struct vc_cmd vc_cmds[] = {
	{ "create", vc_create, "SWITCH" },
	{ "destroy", vc_destroy, "SWITCH" },
	{ "list", vc_list, "" },
	{ "show", vc_show, "[SWITCH]" },
	{ "hostif", vc_hostif, "SWITCH [IFNAME]" },
	{ "uplink", vc_uplink, "SWITCH IFNAME" },
	{ "detach", vc_detach, "SWITCH PORT|IFNAME" },
	{ "set", vc_set, "SWITCH PORT [vlan 0-4094|trunk] [policy none|forged,promisc] [rate BYTES/S] [burst BYTES]" },
	{ "monitor", vc_monitor, "" },
};

static int vc_usage(struct vc *vc)
{
	size_t i;

	fprintf(stderr, "usage:\n");
	for (i = 0; i < sizeof(vc_cmds) / sizeof(vc_cmds[0]); i++)
		fprintf(stderr, "  %s %s %s\n", vc->prog, vc_cmds[i].name,
			vc_cmds[i].args);
	return 2;
}

int main(int argc, char **argv)
{
	struct vc vc = { .prog = "vmnetctl" };
	size_t i;
	int ret;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return vc_usage(&vc);
	for (i = 0; i < sizeof(vc_cmds) / sizeof(vc_cmds[0]); i++) {
		if (strcmp(argv[1], vc_cmds[i].name))
			continue;
		if (vc_open(&vc)) {
			nl_socket_free(vc.sk);
			return 1;
		}
		ret = vc_cmds[i].fn(&vc, argv + 2, argc - 2);
		nl_socket_free(vc.sk);
		return ret;
	}
	fprintf(stderr, "%s: unknown command \"%s\"\n", vc.prog, argv[1]);
	return vc_usage(&vc);
}
