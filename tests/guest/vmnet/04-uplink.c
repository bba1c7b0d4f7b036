// SPDX-License-Identifier: GPL-2.0
/*
 * Uplinks: a switch with a host adapter is bridged to a veth whose peer
 * lives in another network namespace, and ping works both ways. The same
 * NIC cannot be attached twice, nor a NIC that a Linux bridge owns; carrier
 * changes and the NIC's removal (its namespace dies while a VM port floods
 * the switch) reach a "link" listener, and nothing splats.
 */
#define _GNU_SOURCE
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <sys/wait.h>

#include "vmnet_lib.h"

static int rt_sock;

static struct nlattr *nest_start(struct nlmsghdr *nlh, uint16_t type,
				 const void *data, uint16_t len)
{
	struct nlattr *a = (void *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));

	vn_put(nlh, type, data, len);
	return a;
}

static void nest_end(struct nlmsghdr *nlh, struct nlattr *a)
{
	a->nla_len = (char *)nlh + nlh->nlmsg_len - (char *)a;
}

static void veth_add(const char *name, const char *peer)
{
	struct vn_msg m;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *info, *data, *p;
	int ret;

	memset(&m, 0, sizeof(m));
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(ifi));
	m.nlh.nlmsg_type = RTM_NEWLINK;
	m.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	vn_put_str(&m.nlh, IFLA_IFNAME, name);
	info = nest_start(&m.nlh, IFLA_LINKINFO, NULL, 0);
	vn_put_str(&m.nlh, IFLA_INFO_KIND, "veth");
	data = nest_start(&m.nlh, IFLA_INFO_DATA, NULL, 0);
	p = nest_start(&m.nlh, VETH_INFO_PEER, &ifi, sizeof(ifi));
	vn_put_str(&m.nlh, IFLA_IFNAME, peer);
	nest_end(&m.nlh, p);
	nest_end(&m.nlh, data);
	nest_end(&m.nlh, info);
	ret = vn_talk_sock(rt_sock, &m, NULL, NULL);
	TEST_ASSERT(ret == 0, "create veth %s/%s: %d", name, peer, ret);
}

static void link_to_netns(const char *name, pid_t pid)
{
	struct vn_msg m;
	struct ifinfomsg *ifi = (void *)&m.genl;
	int ret;

	memset(&m, 0, sizeof(m));
	m.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	m.nlh.nlmsg_type = RTM_NEWLINK;
	m.nlh.nlmsg_flags = NLM_F_REQUEST;
	ifi->ifi_index = if_nametoindex(name);
	TEST_ASSERT(ifi->ifi_index, "%s exists", name);
	vn_put_u32(&m.nlh, IFLA_NET_NS_PID, pid);
	ret = vn_talk_sock(rt_sock, &m, NULL, NULL);
	TEST_ASSERT(ret == 0, "move %s to netns of %d: %d", name, pid, ret);
}

static void sh(const char *cmd)
{
	int ret = system(cmd);

	TEST_ASSERT(ret == 0, "'%s' exit %d", cmd, ret);
}

static bool ping(const char *ip)
{
	char cmd[128];
	int i;

	snprintf(cmd, sizeof(cmd), "ping -c 1 -W 2 %s >/dev/null 2>&1", ip);
	for (i = 0; i < 8; i++)
		if (system(cmd) == 0)
			return true;
	return false;
}

/* The peer namespace: configure ve1, ping the host, report, then wait
 * until the parent closes the pipe. */
static void child(int ready_w, int go_r)
{
	char c = 0;

	TEST_ASSERT(!unshare(CLONE_NEWNET), "unshare");
	TEST_ASSERT(write(ready_w, &c, 1) == 1, "ready");
	TEST_ASSERT(read(go_r, &c, 1) == 1, "go");
	sh("ip link set lo up && ip link set ve1 up && "
	   "ip addr add 10.9.0.2/24 dev ve1");
	c = ping("10.9.0.1") ? 'y' : 'n';
	TEST_ASSERT(write(ready_w, &c, 1) == 1, "report");
	while (read(go_r, &c, 1) > 0)
		;
	_exit(0);
}

static int next_event(int s, uint32_t kind, int ms)
{
	struct pollfd pfd = { .fd = s, .events = POLLIN };
	char buf[4096];
	struct nlmsghdr *nlh = (void *)buf;
	struct nlattr *a;
	uint32_t k, ev;

	while (poll(&pfd, 1, ms) > 0) {
		TEST_ASSERT(recv(s, buf, sizeof(buf), 0) > 0, "recv event");
		k = ev = 0;
		vn_for_each_attr(a, nlh, GENL_HDRLEN) {
			if (a->nla_type == VMNET_ATTR_PORT_KIND)
				k = *(uint32_t *)vn_attr_data(a);
			if (a->nla_type == VMNET_ATTR_EVENT)
				ev = *(uint32_t *)vn_attr_data(a);
		}
		if (k == kind)
			return ev;
	}
	return 0;
}

/* Skip the uplink's other events (attach, carrier) until EVENT. */
static bool wait_event(int s, uint32_t event, int ms)
{
	uint32_t ev;

	while ((ev = next_event(s, VMNET_PORT_UPLINK, ms)))
		if (ev == event)
			return true;
	return false;
}

static volatile bool flooding;

static void *flood(void *arg)
{
	struct vn_port *p = arg;
	uint32_t n = 0;

	while (flooding)
		vn_send(p, vn_bcast, n++, 1000);
	return NULL;
}

int main(void)
{
	int ready[2], go[2], lis, up, ret;
	struct vn_port vm;
	pthread_t thr;
	uint32_t grp;
	pid_t pid;
	char c;

	if (system(". /vmw/lib.sh && vmw_stock veth && vmw_stock bridge"))
		TEST_SKIP("stock veth/bridge modules not in this image");
	vn_setup();
	rt_sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	TEST_ASSERT(rt_sock >= 0, "rtnetlink socket");
	lis = vn_genl_open();
	grp = vn_mcgrp_link;
	TEST_ASSERT(!setsockopt(lis, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
				sizeof(grp)), "join link");

	veth_add("ve0", "ve1");
	TEST_ASSERT(!pipe(ready) && !pipe(go), "pipes");
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		/* the child sees EOF on go only once no copy of its write
		 * end is left open, its own included */
		close(go[1]);
		close(ready[0]);
		child(ready[1], go[0]);
	}
	TEST_ASSERT(read(ready[0], &c, 1) == 1, "child ready");
	link_to_netns("ve1", pid);

	TEST_ASSERT(vn_switch_new("up") == 0, "create up");
	TEST_ASSERT(vn_hostif_new("up", "vmh0") > 0, "vmh0: %s", vn_extack);
	up = vn_uplink_new("up", "ve0");
	TEST_ASSERT(up > 0, "uplink ve0: %d %s", up, vn_extack);
	TEST_ASSERT(next_event(lis, VMNET_PORT_UPLINK, 1000) ==
		    VMNET_EVENT_ATTACH, "uplink attach event");
	sh("ip link set ve0 up && ip link set vmh0 up && "
	   "ip addr add 10.9.0.1/24 dev vmh0");
	TEST_ASSERT(write(go[1], "g", 1) == 1, "go");
	TEST_ASSERT(ping("10.9.0.2"), "host pings the peer namespace");
	TEST_ASSERT(read(ready[0], &c, 1) == 1 && c == 'y',
		    "the peer namespace pinged the host");
	TEST_NOTE("ping works both ways across the uplink");
	TEST_ASSERT(next_event(lis, VMNET_PORT_UPLINK, 500) ==
		    VMNET_EVENT_CARRIER_UP, "carrier up event");

	ret = vn_uplink_new("up", "ve0");
	TEST_ASSERT(ret == -EBUSY, "same NIC twice: %d", ret);
	TEST_NOTE("same NIC twice -> %d \"%s\"", ret, vn_extack);
	veth_add("ve2", "ve3");
	sh("brctl addbr br0 && brctl addif br0 ve2");
	ret = vn_uplink_new("up", "ve2");
	TEST_ASSERT(ret == -EBUSY, "NIC in a bridge: %d", ret);
	TEST_NOTE("NIC in a bridge -> %d \"%s\"", ret, vn_extack);
	TEST_ASSERT(vn_uplink_new("up", "vmh0") == -EINVAL, "hostif as uplink");
	sh("ip link set ve0 down");
	TEST_ASSERT(next_event(lis, VMNET_PORT_UPLINK, 1000) ==
		    VMNET_EVENT_CARRIER_DOWN, "carrier down event");
	sh("ip link set ve0 up");
	TEST_ASSERT(next_event(lis, VMNET_PORT_UPLINK, 2000) ==
		    VMNET_EVENT_CARRIER_UP, "carrier up again");

	/* the NIC goes away under load */
	vm = vn_vm_open("up", 5);
	flooding = true;
	TEST_ASSERT(!pthread_create(&thr, NULL, flood, &vm), "flood thread");
	vn_msleep(300);
	close(go[1]);
	TEST_ASSERT(waitpid(pid, &ret, 0) == pid && WIFEXITED(ret) &&
		    !WEXITSTATUS(ret), "child exit %d", ret);
	/* ve1 goes first: ve0 may lose its carrier before it goes */
	TEST_ASSERT(wait_event(lis, VMNET_EVENT_DETACH, 5000),
		    "uplink detached when ve0 went away");
	vn_msleep(200);
	flooding = false;
	pthread_join(thr, NULL);
	TEST_ASSERT(if_nametoindex("ve0") == 0, "ve0 gone");
	TEST_ASSERT(vn_uplink_new("up", "ve3") > 0, "ve3 as uplink");
	sh("ip link del ve3");
	TEST_ASSERT(wait_event(lis, VMNET_EVENT_DETACH, 2000),
		    "ve3 detached on deletion");
	sh("brctl delbr br0 || true");

	close(vm.fd);
	close(lis);
	TEST_ASSERT(vn_switch_del("up") == 0, "destroy up");
	vn_teardown();
	return 0;
}
