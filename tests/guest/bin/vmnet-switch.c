// SPDX-License-Identifier: GPL-2.0
/*
 * vmnet-switch: the few vmnet control commands the vmx network tests need,
 * on the raw generic netlink API (static, no libnl), until the tests can
 * drive tools/vmnetctl.
 *
 *   vmnet-switch add SWITCH              create a switch
 *   vmnet-switch del SWITCH              destroy it
 *   vmnet-switch hostif SWITCH IFNAME    give it a host adapter IFNAME
 *
 * Exits 0 on success, 1 with the kernel's error (and extack message).
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uapi/vmnet.h>

struct msg {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	char buf[512];
};

static int sock;
static char extack[256];

static void put_str(struct msg *m, uint16_t type, const char *s)
{
	struct nlattr *a = (void *)((char *)m + NLMSG_ALIGN(m->nlh.nlmsg_len));
	size_t len = strlen(s) + 1;

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, s, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void init(struct msg *m, uint16_t family, uint8_t cmd)
{
	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = family;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	m->genl.cmd = cmd;
	m->genl.version = 1;
}

#define for_each_attr(a, start, end)					\
	for (a = (struct nlattr *)(start);				\
	     (char *)a + NLA_HDRLEN <= (char *)(end) && a->nla_len >= NLA_HDRLEN; \
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))

static void error_msg(struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = sizeof(*e);
	struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	for_each_attr(a, (char *)e + off, (char *)nlh + nlh->nlmsg_len)
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(extack, sizeof(extack), ": %s", (char *)a + NLA_HDRLEN);
}

/* Send m; a reply's family id goes to *family. 0 or -errno. */
static int talk(struct msg *m, uint16_t *family)
{
	char buf[8192];
	struct nlmsghdr *nlh;
	struct nlattr *a;
	ssize_t n;

	if (send(sock, m, m->nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(sock, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (nlh = (void *)buf; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				error_msg(nlh);
				return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			}
			if (!family)
				continue;
			for_each_attr(a, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
				      (char *)nlh + nlh->nlmsg_len)
				if (a->nla_type == CTRL_ATTR_FAMILY_ID)
					memcpy(family, (char *)a + NLA_HDRLEN, 2);
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint16_t family = 0;
	struct msg m;
	int one = 1, ret;
	uint8_t cmd;

	if (argc == 3 && !strcmp(argv[1], "add"))
		cmd = VMNET_CMD_NEW_SWITCH;
	else if (argc == 3 && !strcmp(argv[1], "del"))
		cmd = VMNET_CMD_DEL_SWITCH;
	else if (argc == 4 && !strcmp(argv[1], "hostif"))
		cmd = VMNET_CMD_NEW_HOSTIF;
	else {
		fprintf(stderr, "usage: vmnet-switch add|del SWITCH | hostif SWITCH IFNAME\n");
		return 2;
	}
	sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (sock < 0 || bind(sock, (void *)&sa, sizeof(sa))) {
		perror("vmnet-switch: netlink");
		return 1;
	}
	setsockopt(sock, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(sock, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	put_str(&m, CTRL_ATTR_FAMILY_NAME, VMNET_GENL_NAME);
	ret = talk(&m, &family);
	if (ret || !family) {
		fprintf(stderr, "vmnet-switch: no generic netlink family '%s' (vmnet.ko loaded?)\n",
			VMNET_GENL_NAME);
		return 1;
	}
	init(&m, family, cmd);
	put_str(&m, VMNET_ATTR_SWITCH_NAME, argv[2]);
	if (cmd == VMNET_CMD_NEW_HOSTIF)
		put_str(&m, VMNET_ATTR_IFNAME, argv[3]);
	ret = talk(&m, NULL);
	if (ret) {
		fprintf(stderr, "vmnet-switch %s %s: %s%s\n", argv[1], argv[2],
			strerror(-ret), extack);
		return 1;
	}
	return 0;
}
