/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the vmnet suite: a raw generic netlink client for the "vmnet"
 * family (no libnl, so tests link statically), VM ports on /dev/vmnet and
 * frame building. Header-only: every test is one program.
 */
#ifndef VMNET_LIB_H
#define VMNET_LIB_H

#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <uapi/vmnet.h>

#include "vmw_test.h"

#define VN_UNUSED __attribute__((unused))

struct vn_msg {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	char buf[4096];
};

static int vn_sock = -1;
static uint16_t vn_family;
static uint32_t vn_mcgrp_link;
static char vn_extack[256];	/* last error message from the kernel */

static VN_UNUSED void vn_put(struct nlmsghdr *nlh, uint16_t type,
			     const void *data, uint16_t len)
{
	struct nlattr *a = (void *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static VN_UNUSED void vn_put_str(struct nlmsghdr *nlh, uint16_t type,
				 const char *s)
{
	vn_put(nlh, type, s, strlen(s) + 1);
}

static VN_UNUSED void vn_put_u32(struct nlmsghdr *nlh, uint16_t type,
				 uint32_t v)
{
	vn_put(nlh, type, &v, sizeof(v));
}

static VN_UNUSED void vn_init(struct vn_msg *m, uint16_t family, uint8_t cmd,
			      uint16_t flags)
{
	memset(m, 0, sizeof(m->nlh) + sizeof(m->genl));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = family;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	m->nlh.nlmsg_seq = time(NULL);
	m->genl.cmd = cmd;
	m->genl.version = 1;
}

/* Walk the attributes after a genl header; calls fn for each. */
#define vn_for_each_attr(a, nlh, off)						\
	for (a = (struct nlattr *)((char *)NLMSG_DATA(nlh) + (off));		\
	     (char *)a + NLA_HDRLEN <= (char *)(nlh) + (nlh)->nlmsg_len &&	\
	     a->nla_len >= NLA_HDRLEN;						\
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))

#define vn_attr_data(a) ((void *)((char *)(a) + NLA_HDRLEN))

/* Pick the extack message out of an error reply. */
static VN_UNUSED void vn_parse_extack(struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	struct nlattr *a;
	size_t off = sizeof(*e);

	vn_extack[0] = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	vn_for_each_attr(a, nlh, off)
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(vn_extack, sizeof(vn_extack), "%s",
				 (char *)vn_attr_data(a));
}

/* Send a request; feed every data message to cb; return 0 or -errno from
 * the kernel's ack. */
static VN_UNUSED int vn_talk_sock(int s, struct vn_msg *m,
				  void (*cb)(struct nlmsghdr *, void *),
				  void *arg)
{
	char buf[32768];
	struct nlmsghdr *nlh;
	ssize_t n;

	m->nlh.nlmsg_flags |= NLM_F_ACK;
	if (send(s, m, m->nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(s, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (nlh = (void *)buf; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				vn_parse_extack(nlh);
				return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (cb)
				cb(nlh, arg);
		}
	}
}

static VN_UNUSED int vn_talk(struct vn_msg *m,
			     void (*cb)(struct nlmsghdr *, void *), void *arg)
{
	return vn_talk_sock(vn_sock, m, cb, arg);
}

static VN_UNUSED void vn_resolve_cb(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *a, *g, *ga;

	(void)arg;
	vn_for_each_attr(a, nlh, GENL_HDRLEN) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			vn_family = *(uint16_t *)vn_attr_data(a);
		if (a->nla_type != CTRL_ATTR_MCAST_GROUPS)
			continue;
		for (g = vn_attr_data(a); (char *)g < (char *)a + a->nla_len;
		     g = (void *)((char *)g + NLA_ALIGN(g->nla_len))) {
			uint32_t id = 0;
			const char *name = "";

			for (ga = vn_attr_data(g); (char *)ga < (char *)g + g->nla_len;
			     ga = (void *)((char *)ga + NLA_ALIGN(ga->nla_len))) {
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					id = *(uint32_t *)vn_attr_data(ga);
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
					name = vn_attr_data(ga);
			}
			if (!strcmp(name, VMNET_MCGRP_LINK))
				vn_mcgrp_link = id;
		}
	}
}

static VN_UNUSED int vn_genl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int s, one = 1;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	TEST_ASSERT(s >= 0, "netlink socket");
	TEST_ASSERT(!bind(s, (void *)&sa, sizeof(sa)), "bind netlink");
	setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return s;
}

/* Load vmproc and vmnet, open the control socket. */
static VN_UNUSED void vn_setup(void)
{
	struct vn_msg m;
	int ret;

	ret = vmw_module_load("vmproc", NULL);
	TEST_ASSERT(ret == 0 || ret == -EEXIST, "load vmproc: %d", ret);
	ret = vmw_module_load("vmnet", NULL);
	TEST_ASSERT(ret == 0, "load vmnet: %d", ret);
	vn_sock = vn_genl_open();
	vn_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	vn_put_str(&m.nlh, CTRL_ATTR_FAMILY_NAME, VMNET_GENL_NAME);
	ret = vn_talk(&m, vn_resolve_cb, NULL);
	TEST_ASSERT(ret == 0 && vn_family, "resolve family vmnet: %d", ret);
	TEST_ASSERT(vn_mcgrp_link, "multicast group link");
}

static VN_UNUSED void vn_teardown(void)
{
	int ret;

	close(vn_sock);
	vn_sock = -1;
	ret = vmw_module_unload("vmnet");
	TEST_ASSERT(ret == 0, "rmmod vmnet: %d", ret);
	vmw_module_unload("vmproc");
}

static VN_UNUSED int vn_switch_cmd(uint8_t cmd, const char *sw)
{
	struct vn_msg m;

	vn_init(&m, vn_family, cmd, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, sw);
	return vn_talk(&m, NULL, NULL);
}

#define vn_switch_new(sw) vn_switch_cmd(VMNET_CMD_NEW_SWITCH, sw)
#define vn_switch_del(sw) vn_switch_cmd(VMNET_CMD_DEL_SWITCH, sw)

static VN_UNUSED void vn_port_id_cb(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *a;

	vn_for_each_attr(a, nlh, GENL_HDRLEN)
		if (a->nla_type == VMNET_ATTR_PORT_ID)
			*(uint32_t *)arg = *(uint32_t *)vn_attr_data(a);
}

/* NEW_HOSTIF / NEW_UPLINK: returns the port id or -errno. */
static VN_UNUSED int vn_netdev_port(uint8_t cmd, const char *sw,
				    const char *ifname)
{
	struct vn_msg m;
	uint32_t id = 0;
	int ret;

	vn_init(&m, vn_family, cmd, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, sw);
	if (ifname)
		vn_put_str(&m.nlh, VMNET_ATTR_IFNAME, ifname);
	ret = vn_talk(&m, vn_port_id_cb, &id);
	return ret ? ret : (int)id;
}

#define vn_hostif_new(sw, ifname) vn_netdev_port(VMNET_CMD_NEW_HOSTIF, sw, ifname)
#define vn_uplink_new(sw, ifname) vn_netdev_port(VMNET_CMD_NEW_UPLINK, sw, ifname)

static VN_UNUSED int vn_port_del(const char *sw, uint32_t id)
{
	struct vn_msg m;

	vn_init(&m, vn_family, VMNET_CMD_DEL_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, sw);
	vn_put_u32(&m.nlh, VMNET_ATTR_PORT_ID, id);
	return vn_talk(&m, NULL, NULL);
}

#define VN_KEEP (-1LL)

/* SET_PORT; VN_KEEP leaves a setting alone. */
static VN_UNUSED int vn_port_set(const char *sw, uint32_t id, long long vlan,
				 long long policy, long long rate,
				 long long burst)
{
	struct vn_msg m;
	uint16_t v16;
	uint64_t v64;

	vn_init(&m, vn_family, VMNET_CMD_SET_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, sw);
	vn_put_u32(&m.nlh, VMNET_ATTR_PORT_ID, id);
	if (vlan != VN_KEEP) {
		v16 = vlan;
		vn_put(&m.nlh, VMNET_ATTR_VLAN, &v16, sizeof(v16));
	}
	if (policy != VN_KEEP)
		vn_put_u32(&m.nlh, VMNET_ATTR_POLICY, policy);
	if (rate != VN_KEEP) {
		v64 = rate;
		vn_put(&m.nlh, VMNET_ATTR_RATE, &v64, sizeof(v64));
	}
	if (burst != VN_KEEP)
		vn_put_u32(&m.nlh, VMNET_ATTR_BURST, burst);
	return vn_talk(&m, NULL, NULL);
}

/*
 * VM ports and frames.
 */

struct vn_port {
	int fd;
	uint32_t id;
	uint8_t mac[6];
};

static VN_UNUSED int vn_vm_attach(struct vn_port *p, const char *sw,
				  const uint8_t mac[6])
{
	struct vmnet_attach at = { 0 };

	snprintf(at.switch_name, sizeof(at.switch_name), "%s", sw);
	memcpy(at.mac, mac, 6);
	if (ioctl(p->fd, VMNET_IOC_ATTACH, &at))
		return -errno;
	p->id = at.port_id;
	memcpy(p->mac, mac, 6);
	return 0;
}

/* Open /dev/vmnet and attach it with MAC 02:00:00:00:00:<n>. */
static VN_UNUSED struct vn_port vn_vm_open(const char *sw, uint8_t n)
{
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, n };
	struct vn_port p;
	int ret;

	p.fd = open("/dev/vmnet", O_RDWR | O_CLOEXEC);
	TEST_ASSERT(p.fd >= 0, "open /dev/vmnet");
	ret = vn_vm_attach(&p, sw, mac);
	TEST_ASSERT(ret == 0, "attach to %s: %d", sw, ret);
	return p;
}

/* A test frame: dst, src, EtherType 0x88b5 (local experimental), then a
 * tag word and padding up to len bytes. */
static VN_UNUSED size_t vn_frame(uint8_t *f, const uint8_t *dst,
				 const uint8_t *src, uint32_t tag, size_t len)
{
	memset(f, 0xa5, len);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	memcpy(f + 14, &tag, sizeof(tag));
	return len;
}

static VN_UNUSED const uint8_t vn_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static VN_UNUSED ssize_t vn_send(struct vn_port *from, const uint8_t *dst,
				 uint32_t tag, size_t len)
{
	uint8_t f[1600];

	vn_frame(f, dst, from->mac, tag, len);
	return write(from->fd, f, len);
}

/* Wait up to ms for one frame; returns its length, 0 on timeout. */
static VN_UNUSED ssize_t vn_recv(struct vn_port *p, uint8_t *f, size_t size,
				 int ms)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	int ret = poll(&pfd, 1, ms);

	TEST_ASSERT(ret >= 0, "poll");
	if (!ret || !(pfd.revents & POLLIN))
		return 0;
	return read(p->fd, f, size);
}

/* Expect a frame with this tag word (skipping other test traffic). */
static VN_UNUSED bool vn_got(struct vn_port *p, uint32_t tag, int ms)
{
	uint8_t f[1600];
	uint32_t t;
	ssize_t n;

	while ((n = vn_recv(p, f, sizeof(f), ms)) > 0) {
		if (n >= 18 && f[12] == 0x88 && f[13] == 0xb5) {
			memcpy(&t, f + 14, 4);
			if (t == tag)
				return true;
		}
	}
	return false;
}

/* Drain whatever is queued. */
static VN_UNUSED int vn_drain(struct vn_port *p)
{
	uint8_t f[1600];
	int n = 0;

	while (vn_recv(p, f, sizeof(f), 0) > 0)
		n++;
	return n;
}

static VN_UNUSED void vn_msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Read a whole /proc file into buf. */
static VN_UNUSED int vn_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, total = 0;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = 0;
	return total;
}

#endif /* VMNET_LIB_H */
