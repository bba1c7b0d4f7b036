// SPDX-License-Identifier: GPL-2.0
/*
 * The control plane: strict attribute validation (missing, oversized,
 * unknown, out-of-range and output-only attributes), dumps, host adapters,
 * and the "link" multicast group's attach/detach events.
 */
#include <net/if.h>
#include <sys/param.h>
#include <sys/stat.h>

#include "vmnet_lib.h"

struct event {
	uint32_t port, kind, event;
	char sw[VMNET_NAME_MAX];
};

static void event_cb(struct nlmsghdr *nlh, void *arg)
{
	struct event *e = arg;
	struct nlattr *a;

	vn_for_each_attr(a, nlh, GENL_HDRLEN) {
		if (a->nla_type == VMNET_ATTR_PORT_ID)
			e->port = *(uint32_t *)vn_attr_data(a);
		if (a->nla_type == VMNET_ATTR_PORT_KIND)
			e->kind = *(uint32_t *)vn_attr_data(a);
		if (a->nla_type == VMNET_ATTR_EVENT)
			e->event = *(uint32_t *)vn_attr_data(a);
		if (a->nla_type == VMNET_ATTR_SWITCH_NAME)
			memcpy(e->sw, vn_attr_data(a),
			       MIN((size_t)(a->nla_len - NLA_HDRLEN),
				   sizeof(e->sw) - 1));
	}
}

/* Next event on the listener, or false after ms. */
static bool next_event(int s, struct event *e, int ms)
{
	struct pollfd pfd = { .fd = s, .events = POLLIN };
	char buf[4096];
	struct nlmsghdr *nlh;
	ssize_t n;

	memset(e, 0, sizeof(*e));
	if (poll(&pfd, 1, ms) <= 0)
		return false;
	n = recv(s, buf, sizeof(buf), 0);
	TEST_ASSERT(n > 0, "recv event");
	nlh = (void *)buf;
	TEST_ASSERT(NLMSG_OK(nlh, n) && nlh->nlmsg_type == vn_family,
		    "event message");
	TEST_ASSERT(((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd ==
		    VMNET_CMD_LINK_EVENT, "event command");
	event_cb(nlh, e);
	return true;
}

static int count_cb_n;
static void count_cb(struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(void)arg;
	count_cb_n++;
}

static int dump(uint8_t cmd)
{
	struct vn_msg m;
	int ret;

	count_cb_n = 0;
	vn_init(&m, vn_family, cmd, NLM_F_DUMP);
	ret = vn_talk(&m, count_cb, NULL);
	TEST_ASSERT(ret == 0, "dump %d: %d", cmd, ret);
	return count_cb_n;
}

#define EXPECT_REFUSED(m, err, what) do {					\
	int r__ = vn_talk(&(m), NULL, NULL);					\
	TEST_ASSERT(r__ == (err), "%s: got %d (%s)", what, r__, vn_extack);	\
	TEST_NOTE("%-34s -> %d \"%s\"", what, r__, vn_extack);			\
} while (0)

static void bad_input(uint32_t port)
{
	uint8_t big[64];
	struct vn_msg m;
	uint16_t v16;
	uint64_t v64;

	vn_init(&m, vn_family, VMNET_CMD_NEW_SWITCH, 0);
	EXPECT_REFUSED(m, -EINVAL, "new switch without a name");

	vn_init(&m, vn_family, VMNET_CMD_NEW_SWITCH, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "sixteen-chars-xx");
	EXPECT_REFUSED(m, -EINVAL, "16-character name");

	vn_init(&m, vn_family, VMNET_CMD_NEW_SWITCH, 0);
	memset(big, 'x', sizeof(big));
	vn_put(&m.nlh, VMNET_ATTR_SWITCH_NAME, big, 4);
	EXPECT_REFUSED(m, -EINVAL, "name without NUL");

	vn_init(&m, vn_family, VMNET_CMD_NEW_SWITCH, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "a/b");
	EXPECT_REFUSED(m, -EINVAL, "name with a slash");

	vn_init(&m, vn_family, VMNET_CMD_NEW_SWITCH, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "ok");
	vn_put_u32(&m.nlh, 200, 1);
	EXPECT_REFUSED(m, -EINVAL, "unknown attribute");

	vn_init(&m, vn_family, VMNET_CMD_NEW_SWITCH, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "ok");
	vn_put_u32(&m.nlh, VMNET_ATTR_FDB_COUNT, 1);
	EXPECT_REFUSED(m, -EINVAL, "output-only attribute");

	vn_init(&m, vn_family, VMNET_CMD_SET_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "nl");
	vn_put_u32(&m.nlh, VMNET_ATTR_PORT_ID, port);
	v16 = 4096;
	vn_put(&m.nlh, VMNET_ATTR_VLAN, &v16, 2);
	EXPECT_REFUSED(m, -ERANGE, "VLAN 4096");

	vn_init(&m, vn_family, VMNET_CMD_SET_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "nl");
	vn_put_u32(&m.nlh, VMNET_ATTR_PORT_ID, port);
	vn_put_u32(&m.nlh, VMNET_ATTR_POLICY, 1U << 7);
	EXPECT_REFUSED(m, -EINVAL, "unknown policy bit");

	vn_init(&m, vn_family, VMNET_CMD_SET_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "nl");
	vn_put_u32(&m.nlh, VMNET_ATTR_PORT_ID, port);
	v64 = (1ULL << 34) + 1;
	vn_put(&m.nlh, VMNET_ATTR_RATE, &v64, 8);
	EXPECT_REFUSED(m, -ERANGE, "rate over 2^34");

	vn_init(&m, vn_family, VMNET_CMD_SET_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "nl");
	vn_put(&m.nlh, VMNET_ATTR_PORT_ID, &v16, 2);
	EXPECT_REFUSED(m, -EINVAL, "u32 attribute of 2 bytes");

	vn_init(&m, vn_family, VMNET_CMD_SET_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "nl");
	EXPECT_REFUSED(m, -EINVAL, "set port without a port id");

	vn_init(&m, vn_family, VMNET_CMD_SET_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "nl");
	vn_put_u32(&m.nlh, VMNET_ATTR_PORT_ID, 9999);
	EXPECT_REFUSED(m, -ENOENT, "set port 9999");

	vn_init(&m, vn_family, VMNET_CMD_DEL_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "nl");
	vn_put_u32(&m.nlh, VMNET_ATTR_PORT_ID, port);
	EXPECT_REFUSED(m, -EBUSY, "delete a VM port");

	vn_init(&m, vn_family, VMNET_CMD_NEW_HOSTIF, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "nl");
	memset(big, 'n', sizeof(big));
	big[20] = 0;
	vn_put(&m.nlh, VMNET_ATTR_IFNAME, big, 21);
	EXPECT_REFUSED(m, -EINVAL, "20-character ifname");

	vn_init(&m, vn_family, VMNET_CMD_NEW_UPLINK, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "nl");
	vn_put_str(&m.nlh, VMNET_ATTR_IFNAME, "nosuch0");
	EXPECT_REFUSED(m, -ENODEV, "uplink to a missing NIC");

	vn_init(&m, vn_family, VMNET_CMD_NEW_UPLINK, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "nl");
	vn_put_str(&m.nlh, VMNET_ATTR_IFNAME, "lo");
	EXPECT_REFUSED(m, -EINVAL, "uplink to lo");

	vn_init(&m, vn_family, VMNET_CMD_LINK_EVENT, 0);
	EXPECT_REFUSED(m, -EOPNOTSUPP, "send an event");

	vn_init(&m, vn_family, 99, 0);
	EXPECT_REFUSED(m, -EOPNOTSUPP, "command 99");

	vn_init(&m, vn_family, VMNET_CMD_NEW_SWITCH, 0);
	m.nlh.nlmsg_len = NLMSG_LENGTH(2);	/* shorter than a genl header */
	EXPECT_REFUSED(m, -EINVAL, "truncated genl header");
}

int main(void)
{
	struct event e;
	struct vn_port a, b;
	struct stat st;
	int lis, h, one = 1;
	uint32_t grp;

	vn_setup();
	lis = vn_genl_open();
	grp = vn_mcgrp_link;
	TEST_ASSERT(!setsockopt(lis, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
				sizeof(grp)), "join group link");
	(void)one;

	TEST_ASSERT(vn_switch_new("nl") == 0, "create nl");
	TEST_ASSERT(vn_switch_new("nl2") == 0, "create nl2");
	a = vn_vm_open("nl", 1);
	TEST_ASSERT(next_event(lis, &e, 1000) && e.event == VMNET_EVENT_ATTACH &&
		    e.port == a.id && e.kind == VMNET_PORT_VM &&
		    !strcmp(e.sw, "nl"), "attach event (%u %u %u %s)", e.event,
		    e.port, e.kind, e.sw);
	b = vn_vm_open("nl2", 2);
	TEST_ASSERT(next_event(lis, &e, 1000) && e.port == b.id &&
		    !strcmp(e.sw, "nl2"), "second attach event");

	bad_input(a.id);

	h = vn_hostif_new("nl", "vmtest0");
	TEST_ASSERT(h > 0, "host adapter: %d %s", h, vn_extack);
	TEST_ASSERT(stat("/sys/class/net/vmtest0", &st) == 0, "vmtest0 exists");
	TEST_ASSERT(next_event(lis, &e, 1000) && e.port == (uint32_t)h &&
		    e.kind == VMNET_PORT_HOSTIF, "hostif attach event");
	TEST_ASSERT(vn_hostif_new("nl", "vmtest0") < 0, "same name twice");
	TEST_ASSERT(dump(VMNET_CMD_GET_SWITCH) == 2, "two switches");
	TEST_ASSERT(dump(VMNET_CMD_GET_PORT) == 3, "three ports");
	TEST_ASSERT(vn_port_del("nl", h) == 0, "delete host adapter");
	TEST_ASSERT(stat("/sys/class/net/vmtest0", &st) != 0, "vmtest0 gone");
	TEST_ASSERT(next_event(lis, &e, 1000) && e.port == (uint32_t)h &&
		    e.event == VMNET_EVENT_DETACH, "hostif detach event");

	close(a.fd);
	TEST_ASSERT(next_event(lis, &e, 1000) && e.port == a.id &&
		    e.event == VMNET_EVENT_DETACH, "detach event on close");
	/* a host adapter left in place goes with its switch */
	TEST_ASSERT(vn_hostif_new("nl", NULL) > 0, "unnamed host adapter");
	TEST_ASSERT(stat("/sys/class/net/vmnet0", &st) == 0, "vmnet0 exists");
	TEST_ASSERT(vn_switch_del("nl") == 0, "destroy nl");
	TEST_ASSERT(stat("/sys/class/net/vmnet0", &st) != 0, "vmnet0 gone");
	TEST_ASSERT(dump(VMNET_CMD_GET_SWITCH) == 1, "one switch left");
	/* nl2 and its open port are left for module removal to refuse/clean */
	close(b.fd);
	TEST_ASSERT(vn_hostif_new("nl2", "vmtest1") > 0, "adapter on nl2");
	close(lis);
	vn_teardown();	/* removes nl2 and vmtest1 */
	TEST_ASSERT(stat("/sys/class/net/vmtest1", &st) != 0, "vmtest1 gone");
	return 0;
}
