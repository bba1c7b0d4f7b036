// SPDX-License-Identifier: GPL-2.0
/*
 * The switch's forwarding rules, one VM port at a time: flooding of
 * unknown and broadcast destinations, learning, ageing (MacAgeSecs), VLAN
 * access ports and trunks, the forged-MAC and promiscuous policies, the
 * rate limiter, counters in /proc/vmware/net and attach-time checks.
 */
#include "vmnet_lib.h"

#define AGE "/proc/vmware/config/Net/MacAgeSecs"

static const uint8_t unknown[6] = { 0x02, 0, 0, 0, 0, 0x99 };

static void write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	TEST_ASSERT(fd >= 0, "open %s", path);
	TEST_ASSERT(write(fd, val, strlen(val)) == (ssize_t)strlen(val),
		    "write %s", path);
	close(fd);
}

/* rx_drops column of a port's line in /proc/vmware/net/vsw/ports. */
static long long port_col(uint32_t id, int col)
{
	char buf[8192], *line, *save;
	long long v = -1;
	int i;

	TEST_ASSERT(vn_read_file("/proc/vmware/net/vsw/ports", buf,
				 sizeof(buf)) > 0, "read ports");
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tok, *s2;

		if (strtoul(line, NULL, 10) != id)
			continue;
		for (i = 0, tok = strtok_r(line, " ", &s2); tok && i < col;
		     i++, tok = strtok_r(NULL, " ", &s2))
			;
		if (tok)
			v = strtoll(tok, NULL, 10);
	}
	return v;
}

#define COL_RX_PKTS	9
#define COL_RX_DROPS	13

static void flooding_and_learning(struct vn_port *a, struct vn_port *b,
				  struct vn_port *c)
{
	char buf[4096];
	char mac[32];

	TEST_ASSERT(vn_send(a, unknown, 10, 60) == 60, "a -> unknown");
	TEST_ASSERT(vn_got(b, 10, 1000) && vn_got(c, 10, 1000),
		    "unknown unicast flooded to b and c");
	TEST_ASSERT(vn_send(b, vn_bcast, 11, 60) == 60, "b -> broadcast");
	TEST_ASSERT(vn_got(a, 11, 1000) && vn_got(c, 11, 1000),
		    "broadcast flooded to a and c");
	TEST_ASSERT(!vn_got(b, 11, 100), "no echo to the sender");
	TEST_ASSERT(vn_send(a, b->mac, 12, 60) == 60, "a -> b");
	TEST_ASSERT(vn_got(b, 12, 1000), "b got a's unicast");
	TEST_ASSERT(!vn_got(c, 12, 300), "c did not: b's MAC was learned");

	TEST_ASSERT(vn_read_file("/proc/vmware/net/vsw/fdb", buf,
				 sizeof(buf)) > 0, "read fdb");
	snprintf(mac, sizeof(mac), "02:00:00:00:00:%02x", b->mac[5]);
	TEST_ASSERT(strstr(buf, mac), "fdb lists %s:\n%s", mac, buf);
}

static void ageing(struct vn_port *a, struct vn_port *b, struct vn_port *c)
{
	char buf[4096];

	write_file(AGE, "1");
	vn_msleep(2500);
	TEST_ASSERT(vn_read_file("/proc/vmware/net/vsw/fdb", buf,
				 sizeof(buf)) > 0, "read fdb");
	TEST_ASSERT(!strstr(buf, "02:00:00:00:00:02"), "b aged out:\n%s", buf);
	TEST_ASSERT(vn_send(a, b->mac, 20, 60) == 60, "a -> b");
	TEST_ASSERT(vn_got(b, 20, 1000) && vn_got(c, 20, 1000),
		    "flooded again after ageing");
	write_file(AGE, "300");
	errno = 0;
	TEST_ASSERT(vn_read_file(AGE, buf, sizeof(buf)) > 0 &&
		    atoi(buf) == 300, "MacAgeSecs reads back");
}

static void vlans(struct vn_port *a, struct vn_port *b, struct vn_port *c)
{
	uint8_t f[1600];
	ssize_t n;

	TEST_ASSERT(vn_port_set("vsw", c->id, 10, VN_KEEP, VN_KEEP, VN_KEEP) == 0,
		    "c -> VLAN 10: %s", vn_extack);
	TEST_ASSERT(vn_send(a, vn_bcast, 30, 60) == 60, "a -> broadcast");
	TEST_ASSERT(vn_got(b, 30, 1000), "b (VLAN 0) got it");
	TEST_ASSERT(!vn_got(c, 30, 300), "c (VLAN 10) did not");

	TEST_ASSERT(vn_port_set("vsw", a->id, 10, VN_KEEP, VN_KEEP, VN_KEEP) == 0,
		    "a -> VLAN 10");
	TEST_ASSERT(vn_port_set("vsw", b->id, VMNET_VLAN_TRUNK, VN_KEEP,
				VN_KEEP, VN_KEEP) == 0, "b -> trunk");
	TEST_ASSERT(vn_send(a, vn_bcast, 31, 60) == 60, "a -> broadcast");
	TEST_ASSERT(vn_got(c, 31, 1000), "c got it untagged");
	n = vn_recv(b, f, sizeof(f), 1000);
	TEST_ASSERT(n == 64 && f[12] == 0x81 && f[13] == 0 &&
		    (((f[14] & 0xf) << 8) | f[15]) == 10 && f[16] == 0x88 &&
		    f[17] == 0xb5, "trunk b got a frame tagged 10 (len %zd)", n);

	/* b sends tagged into VLAN 10, then into VLAN 20 */
	vn_frame(f, vn_bcast, b->mac, 0, 64);
	memmove(f + 16, f + 12, 48);
	f[12] = 0x81; f[13] = 0; f[14] = 0; f[15] = 10;
	memcpy(f + 18, &(uint32_t){ 32 }, 4);
	TEST_ASSERT(write(b->fd, f, 64) == 64, "b sends tagged 10");
	TEST_ASSERT(vn_got(a, 32, 1000) && vn_got(c, 32, 1000),
		    "VLAN 10 members got it untagged");
	f[15] = 20;
	memcpy(f + 18, &(uint32_t){ 33 }, 4);
	TEST_ASSERT(write(b->fd, f, 64) == 64, "b sends tagged 20");
	TEST_ASSERT(!vn_got(a, 33, 300) && !vn_got(c, 33, 100),
		    "VLAN 20 has no other member");

	/* an access port may not send tagged frames */
	vn_frame(f, vn_bcast, a->mac, 0, 64);
	memmove(f + 16, f + 12, 48);
	f[12] = 0x81; f[13] = 0; f[14] = 0; f[15] = 10;
	memcpy(f + 18, &(uint32_t){ 34 }, 4);
	TEST_ASSERT(write(a->fd, f, 64) == 64, "a sends tagged");
	TEST_ASSERT(!vn_got(c, 34, 300), "tagged frame from access port dropped");

	TEST_ASSERT(vn_port_set("vsw", a->id, 0, VN_KEEP, VN_KEEP, VN_KEEP) == 0 &&
		    vn_port_set("vsw", b->id, 0, VN_KEEP, VN_KEEP, VN_KEEP) == 0 &&
		    vn_port_set("vsw", c->id, 0, VN_KEEP, VN_KEEP, VN_KEEP) == 0,
		    "back to VLAN 0");
	vn_drain(a);
	vn_drain(b);
	vn_drain(c);
}

static void mac_policy(struct vn_port *a, struct vn_port *b, struct vn_port *c)
{
	uint8_t f[64];
	uint32_t flags = VMNET_PORT_PROMISC;
	long long drops = port_col(a->id, COL_RX_DROPS);

	vn_frame(f, vn_bcast, unknown, 40, 64);
	TEST_ASSERT(write(a->fd, f, 64) == 64, "a sends a forged source");
	TEST_ASSERT(!vn_got(b, 40, 300), "forged frame dropped");
	TEST_ASSERT(port_col(a->id, COL_RX_DROPS) == drops + 1,
		    "counted as a drop (%lld -> %lld)", drops,
		    port_col(a->id, COL_RX_DROPS));
	TEST_ASSERT(vn_port_set("vsw", a->id, VN_KEEP, VMNET_POLICY_FORGED,
				VN_KEEP, VN_KEEP) == 0, "allow forged on a");
	vn_frame(f, vn_bcast, unknown, 41, 64);
	TEST_ASSERT(write(a->fd, f, 64) == 64, "a sends a forged source");
	TEST_ASSERT(vn_got(b, 41, 1000), "allowed now");
	vn_frame(f, vn_bcast, vn_bcast, 42, 64);
	TEST_ASSERT(write(a->fd, f, 64) == 64, "a sends a multicast source");
	TEST_ASSERT(!vn_got(b, 42, 300), "multicast source always dropped");
	TEST_ASSERT(vn_port_set("vsw", a->id, VN_KEEP, 0, VN_KEEP, VN_KEEP) == 0,
		    "forbid forged again");

	/* promiscuous: only with the policy's permission */
	errno = 0;
	TEST_ASSERT(ioctl(c->fd, VMNET_IOC_SET_FLAGS, &flags) == -1 &&
		    errno == EPERM, "promiscuous refused by policy");
	TEST_ASSERT(vn_send(b, vn_bcast, 43, 60) == 60, "b announces itself");
	TEST_ASSERT(vn_send(a, b->mac, 44, 60) == 60, "a -> b");
	TEST_ASSERT(vn_got(b, 44, 1000) && !vn_got(c, 44, 300), "c not promisc");
	TEST_ASSERT(vn_port_set("vsw", c->id, VN_KEEP, VMNET_POLICY_PROMISC,
				VN_KEEP, VN_KEEP) == 0, "allow promisc on c");
	TEST_ASSERT(ioctl(c->fd, VMNET_IOC_SET_FLAGS, &flags) == 0,
		    "c goes promiscuous");
	TEST_ASSERT(vn_send(a, b->mac, 45, 60) == 60, "a -> b");
	TEST_ASSERT(vn_got(b, 45, 1000) && vn_got(c, 45, 1000),
		    "c sees a's unicast to b");
	flags = 0;
	TEST_ASSERT(ioctl(c->fd, VMNET_IOC_SET_FLAGS, &flags) == 0, "c leaves");
	vn_drain(c);
}

static void rate_limit(struct vn_port *a, struct vn_port *b)
{
	long long drops = port_col(a->id, COL_RX_DROPS);
	int i, got = 0;

	/* 10 kB/s with the smallest burst (two full frames) */
	TEST_ASSERT(vn_port_set("vsw", a->id, VN_KEEP, VN_KEEP, 10000, 0) == 0,
		    "rate on a: %s", vn_extack);
	for (i = 0; i < 20; i++)
		TEST_ASSERT(vn_send(a, b->mac, 50, 1000) == 1000, "send %d", i);
	while (vn_got(b, 50, 300))
		got++;
	TEST_ASSERT(got >= 2 && got <= 6, "%d of 20 frames passed", got);
	TEST_ASSERT(port_col(a->id, COL_RX_DROPS) - drops == 20 - got,
		    "the rest counted as drops");
	TEST_ASSERT(vn_port_set("vsw", a->id, VN_KEEP, VN_KEEP, 0, 0) == 0,
		    "no limit");
	for (i = 0; i < 20; i++)
		TEST_ASSERT(vn_send(a, b->mac, 51, 1000) == 1000, "send %d", i);
	for (i = 0; i < 20; i++)
		TEST_ASSERT(vn_got(b, 51, 1000), "unlimited frame %d", i);
	TEST_NOTE("rate limit: %d of 20 x 1000 B passed at 10 kB/s", got);
}

static void attach_checks(void)
{
	uint8_t mcast[6] = { 0x01, 0, 0x5e, 0, 0, 1 }, zero[6] = { 0 };
	uint8_t good[6] = { 0x02, 0, 0, 0, 0, 7 };
	struct vn_port p = { .fd = open("/dev/vmnet", O_RDWR) };
	uint8_t f[64];

	TEST_ASSERT(p.fd >= 0, "open");
	errno = 0;
	TEST_ASSERT(write(p.fd, f, sizeof(f)) == -1 && errno == ENOTCONN,
		    "write before attach");
	TEST_ASSERT(vn_vm_attach(&p, "vsw", mcast) == -EINVAL, "multicast MAC");
	TEST_ASSERT(vn_vm_attach(&p, "vsw", zero) == -EINVAL, "zero MAC");
	TEST_ASSERT(vn_vm_attach(&p, "nosuch", good) == -ENOENT, "no switch");
	TEST_ASSERT(vn_vm_attach(&p, "vsw", good) == 0, "good attach");
	TEST_ASSERT(vn_vm_attach(&p, "vsw", good) == -EISCONN, "twice");
	TEST_ASSERT(ioctl(p.fd, VMNET_IOC_DETACH) == 0, "detach");
	TEST_ASSERT(ioctl(p.fd, VMNET_IOC_DETACH) == -1 && errno == ENOTCONN,
		    "detach twice");
	TEST_ASSERT(vn_vm_attach(&p, "vsw", good) == 0, "attach again");
	TEST_ASSERT(ioctl(p.fd, 0x1234) == -1 && errno == ENOTTY, "bad ioctl");
	close(p.fd);
}

int main(void)
{
	struct vn_port a, b, c;

	vn_setup();
	TEST_ASSERT(vn_switch_new("vsw") == 0, "create vsw: %s", vn_extack);
	a = vn_vm_open("vsw", 1);
	b = vn_vm_open("vsw", 2);
	c = vn_vm_open("vsw", 3);

	flooding_and_learning(&a, &b, &c);
	ageing(&a, &b, &c);
	vlans(&a, &b, &c);
	mac_policy(&a, &b, &c);
	rate_limit(&a, &b);
	TEST_ASSERT(port_col(a.id, COL_RX_PKTS) > 20, "a's rx counter");
	attach_checks();

	/* destroying the switch under open ports detaches them */
	TEST_ASSERT(vn_switch_del("vsw") == 0, "destroy vsw");
	errno = 0;
	TEST_ASSERT(vn_send(&a, b.mac, 60, 60) == -1 && errno == ENOTCONN,
		    "write after the switch went away");
	close(a.fd);
	close(b.fd);
	close(c.fd);
	vn_teardown();
	return 0;
}
