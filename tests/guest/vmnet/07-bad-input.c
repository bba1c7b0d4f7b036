// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input the earlier tests do not send: frames of the wrong size written
 * to /dev/vmnet, raw generic netlink messages with attributes of the wrong
 * type or length, missing attributes, attributes running past the message,
 * and invalid MACs on a port. Every one gets a clear errno, nothing reaches
 * the other port, and the switch keeps working.
 */
#include "vmnet_lib.h"

#define EXPECT_REFUSED(m, err, what) do {					\
	int r__ = vn_talk(&(m), NULL, NULL);					\
	TEST_ASSERT(r__ == (err), "%s: got %d (%s)", what, r__, vn_extack);	\
	TEST_NOTE("%-36s -> %d \"%s\"", what, r__, vn_extack);			\
} while (0)

static void bad_frames(struct vn_port *a, struct vn_port *b)
{
	static const size_t bad[] = { 0, 1, 13, 1515, 1519, 9000, 65536 };
	static uint8_t f[65536];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vn_frame(f, vn_bcast, a->mac, 100 + i, bad[i] < 18 ? 18 : bad[i]);
		if (bad[i] == 1519) {
			f[12] = 0x81;	/* tagged, still 1 byte too long */
			f[13] = 0;
		}
		errno = 0;
		TEST_ASSERT(write(a->fd, f, bad[i]) == -1 && errno == EINVAL,
			    "%zu-byte frame: errno %d", bad[i], errno);
		TEST_NOTE("write of %5zu bytes -> EINVAL", bad[i]);
	}
	TEST_ASSERT(!vn_drain(b), "nothing of them reached b");
	vn_frame(f, vn_bcast, a->mac, 120, 1514);
	TEST_ASSERT(write(a->fd, f, 1514) == 1514, "1514-byte frame passes");
	TEST_ASSERT(vn_got(b, 120, 1000), "b got the full-size frame");
	errno = 0;
	TEST_ASSERT(read(b->fd, f, 10) == -1 && (errno == EAGAIN ||
		    errno == EWOULDBLOCK || errno == EMSGSIZE) ,
		    "short read buffer: errno %d", errno);
}

static void bad_macs(void)
{
	static const uint8_t macs[][6] = {
		{ 0, 0, 0, 0, 0, 0 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 },
	};
	struct vn_port p = { .fd = open("/dev/vmnet", O_RDWR) };
	struct vmnet_attach at = { .reserved = 1 };
	size_t i;

	TEST_ASSERT(p.fd >= 0, "open");
	for (i = 0; i < sizeof(macs) / sizeof(macs[0]); i++)
		TEST_ASSERT(vn_vm_attach(&p, "bad", macs[i]) == -EINVAL,
			    "MAC #%zu refused", i);
	TEST_NOTE("zero, broadcast and multicast MACs -> EINVAL");
	strcpy(at.switch_name, "bad");
	at.mac[0] = 2;
	errno = 0;
	TEST_ASSERT(ioctl(p.fd, VMNET_IOC_ATTACH, &at) == -1 && errno == EINVAL,
		    "reserved field set");
	memset(at.switch_name, 'x', sizeof(at.switch_name));
	at.reserved = 0;
	errno = 0;
	TEST_ASSERT(ioctl(p.fd, VMNET_IOC_ATTACH, &at) == -1 && errno == EINVAL,
		    "switch name without NUL");
	close(p.fd);
}

static void bad_netlink(uint32_t port)
{
	struct vn_msg m;
	struct nlattr *a;
	uint32_t v32 = 5;
	uint16_t v16 = 1;
	char name[64];

	vn_init(&m, vn_family, VMNET_CMD_SET_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "bad");
	vn_put_u32(&m.nlh, VMNET_ATTR_PORT_ID, port);
	vn_put_u32(&m.nlh, VMNET_ATTR_VLAN, 5);
	EXPECT_REFUSED(m, -EINVAL, "VLAN as u32");

	vn_init(&m, vn_family, VMNET_CMD_SET_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "bad");
	vn_put(&m.nlh, VMNET_ATTR_PORT_ID, &v16, 2);
	EXPECT_REFUSED(m, -EINVAL, "PORT_ID as u16");

	vn_init(&m, vn_family, VMNET_CMD_SET_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "bad");
	vn_put_u32(&m.nlh, VMNET_ATTR_PORT_ID, port);
	vn_put_u32(&m.nlh, VMNET_ATTR_RATE, 1000);
	EXPECT_REFUSED(m, -EINVAL, "RATE as u32");

	vn_init(&m, vn_family, VMNET_CMD_SET_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "bad");
	vn_put_u32(&m.nlh, VMNET_ATTR_PORT_ID, 0);
	EXPECT_REFUSED(m, -ERANGE, "PORT_ID 0");

	vn_init(&m, vn_family, VMNET_CMD_NEW_SWITCH, 0);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, name);
	EXPECT_REFUSED(m, -EINVAL, "63-character switch name");

	vn_init(&m, vn_family, VMNET_CMD_NEW_SWITCH, 0);
	vn_put_u32(&m.nlh, VMNET_ATTR_SWITCH_NAME, 0x41414141);
	EXPECT_REFUSED(m, -EINVAL, "name as a number (no NUL)");

	vn_init(&m, vn_family, VMNET_CMD_NEW_UPLINK, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "bad");
	EXPECT_REFUSED(m, -EINVAL, "uplink without IFNAME");

	vn_init(&m, vn_family, VMNET_CMD_DEL_SWITCH, 0);
	EXPECT_REFUSED(m, -EINVAL, "delete without a name");

	vn_init(&m, vn_family, VMNET_CMD_NEW_HOSTIF, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "bad");
	vn_put(&m.nlh, VMNET_ATTR_IFNAME, "ifname-of-20-chars-x", 20);
	EXPECT_REFUSED(m, -EINVAL, "IFNAME without NUL, too long");

	vn_init(&m, vn_family, VMNET_CMD_NEW_HOSTIF, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "bad");
	vn_put(&m.nlh, VMNET_ATTR_STATS, &v32, 4);
	EXPECT_REFUSED(m, -EINVAL, "output-only nested STATS");

	/* an attribute claiming more bytes than the message holds */
	vn_init(&m, vn_family, VMNET_CMD_NEW_SWITCH, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "ok");
	a = (struct nlattr *)((char *)&m.nlh + NLMSG_LENGTH(GENL_HDRLEN));
	a->nla_len = 200;
	EXPECT_REFUSED(m, -EINVAL, "attribute past the message");

	/* an attribute shorter than its own header */
	vn_init(&m, vn_family, VMNET_CMD_NEW_SWITCH, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "ok");
	a->nla_len = 2;
	EXPECT_REFUSED(m, -EINVAL, "attribute of 2 bytes");

	/* the switch still answers */
	vn_init(&m, vn_family, VMNET_CMD_SET_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "bad");
	vn_put_u32(&m.nlh, VMNET_ATTR_PORT_ID, port);
	vn_put(&m.nlh, VMNET_ATTR_VLAN, &v16, 2);
	TEST_ASSERT(vn_talk(&m, NULL, NULL) == 0, "a good SET_PORT");
	vn_init(&m, vn_family, VMNET_CMD_SET_PORT, 0);
	vn_put_str(&m.nlh, VMNET_ATTR_SWITCH_NAME, "bad");
	vn_put_u32(&m.nlh, VMNET_ATTR_PORT_ID, port);
	v16 = 0;
	vn_put(&m.nlh, VMNET_ATTR_VLAN, &v16, 2);
	TEST_ASSERT(vn_talk(&m, NULL, NULL) == 0, "back to VLAN 0");
}

int main(void)
{
	struct vn_port a, b;

	vn_setup();
	TEST_ASSERT(vn_switch_new("bad") == 0, "create bad: %s", vn_extack);
	a = vn_vm_open("bad", 1);
	b = vn_vm_open("bad", 2);
	TEST_ASSERT(fcntl(b.fd, F_SETFL, O_NONBLOCK) == 0, "nonblocking b");

	bad_frames(&a, &b);
	bad_macs();
	bad_netlink(a.id);
	TEST_ASSERT(vn_send(&a, b.mac, 130, 60) == 60, "a -> b after it all");
	TEST_ASSERT(vn_got(&b, 130, 1000), "the switch still forwards");

	close(a.fd);
	close(b.fd);
	TEST_ASSERT(vn_switch_del("bad") == 0, "destroy bad");
	vn_teardown();
	return 0;
}
