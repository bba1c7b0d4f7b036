/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmnet: the virtual Ethernet switch.
 *
 * Objects
 * -------
 * A switch has a name (1..15 characters of [A-Za-z0-9_-]) and up to
 * VMNET_MAX_PORTS ports. Every port has a kind, a number unique in its
 * switch (never reused while the module is loaded) and settings:
 *
 *   VM port       one open file of /dev/vmnet, attached with
 *                 VMNET_IOC_ATTACH; read() returns one whole frame,
 *                 write() sends one (14..1514 bytes, 1518 with an 802.1Q
 *                 tag; anything else is EINVAL and nothing is sent).
 *   host adapter  a netdev on the host (default name vmnet%d).
 *   uplink        a physical NIC: vmnet takes its rx_handler and puts it in
 *                 promiscuous mode. Frames for the NIC's own MAC, and a copy
 *                 of broadcasts and multicasts, still reach the host stack.
 *
 * The switch learns (source MAC, VLAN) -> port from every accepted frame;
 * entries age out after /proc/vmware/config/Net/MacAgeSecs seconds.
 * Unknown unicast, broadcast and multicast frames are flooded to every port
 * of the same VLAN but the one they came from.
 *
 * VLAN (VMNET_ATTR_VLAN): 0..4094 makes an access port in that VLAN
 * (0 = untagged traffic); it accepts untagged frames only and sends
 * untagged. 4095 (VMNET_VLAN_TRUNK) makes a trunk: 802.1Q-tagged frames
 * travel in their VLAN, untagged frames in VLAN 0. VM ports and host
 * adapters start at 0, uplinks as trunks.
 *
 * Policy (VMNET_ATTR_POLICY, VMNET_POLICY_* bits): FORGED lets a port send
 * source MACs other than its own (VM ports start without it; uplinks and
 * host adapters always have it); PROMISC lets a port see all frames of its
 * VLAN (VMNET_IOC_SET_FLAGS with VMNET_PORT_PROMISC asks for that).
 *
 * Rate (VMNET_ATTR_RATE bytes/s, 0 = unlimited; VMNET_ATTR_BURST bytes):
 * a token bucket on what the port sends into the switch; frames over it are
 * dropped and counted.
 *
 * Generic netlink family "vmnet", version 1
 * -----------------------------------------
 * Every attribute is checked against a strict policy: unknown or
 * output-only attributes, wrong lengths and strings that are too long are
 * rejected with EINVAL, numbers out of range with ERANGE, both with an
 * extack message (or the missing attribute's type). Commands that change state
 * need CAP_NET_ADMIN. Only the initial network namespace is served.
 *
 * VMNET_CMD_NEW_SWITCH     SWITCH_NAME                  -> EEXIST, ENOSPC
 * VMNET_CMD_DEL_SWITCH     SWITCH_NAME                  -> ENOENT
 *                          every port is detached; VM port files stay open
 *                          and fail with ENOTCONN.
 * VMNET_CMD_GET_SWITCH     dump: SWITCH_NAME, PORT_COUNT, FDB_COUNT
 * VMNET_CMD_NEW_HOSTIF     SWITCH_NAME, [IFNAME]
 *                          reply: SWITCH_NAME, PORT_ID, IFNAME
 * VMNET_CMD_NEW_UPLINK     SWITCH_NAME, IFNAME
 *                          reply: SWITCH_NAME, PORT_ID, IFNAME
 *                          EBUSY when the NIC already has an rx_handler
 *                          (bridge, bond, macvlan or another vmnet switch),
 *                          EINVAL for loopback, non-Ethernet devices and
 *                          vmnet's own host adapters, ENODEV if absent.
 * VMNET_CMD_DEL_PORT       SWITCH_NAME, PORT_ID or IFNAME
 *                          removes a host adapter or an uplink; a VM port
 *                          goes away when its file is closed (EBUSY).
 * VMNET_CMD_SET_PORT       SWITCH_NAME, PORT_ID or IFNAME, any of VLAN,
 *                          POLICY, RATE, BURST
 * VMNET_CMD_GET_PORT       dump, optionally filtered by SWITCH_NAME:
 *                          SWITCH_NAME, PORT_ID, PORT_KIND, [IFNAME],
 *                          MAC, VLAN, POLICY, RATE, BURST, FLAGS,
 *                          STATS (nested VMNET_STAT_*, u64 each)
 * VMNET_CMD_LINK_EVENT     sent to multicast group "link", never accepted:
 *                          SWITCH_NAME, PORT_ID, PORT_KIND, [IFNAME],
 *                          EVENT (VMNET_EVENT_*)
 */
#ifndef _UAPI_VMNET_H
#define _UAPI_VMNET_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VMNET_GENL_NAME		"vmnet"
#define VMNET_GENL_VERSION	1
#define VMNET_MCGRP_LINK	"link"

#define VMNET_NAME_MAX		16	/* switch name, with its NUL */
#define VMNET_MAX_SWITCHES	64
#define VMNET_MAX_PORTS		256
#define VMNET_VLAN_TRUNK	4095

enum vmnet_cmd {
	VMNET_CMD_UNSPEC,
	VMNET_CMD_NEW_SWITCH,
	VMNET_CMD_DEL_SWITCH,
	VMNET_CMD_GET_SWITCH,
	VMNET_CMD_NEW_HOSTIF,
	VMNET_CMD_NEW_UPLINK,
	VMNET_CMD_DEL_PORT,
	VMNET_CMD_SET_PORT,
	VMNET_CMD_GET_PORT,
	VMNET_CMD_LINK_EVENT,
	__VMNET_CMD_MAX
};
#define VMNET_CMD_MAX (__VMNET_CMD_MAX - 1)

enum vmnet_attr {
	VMNET_ATTR_UNSPEC,
	VMNET_ATTR_SWITCH_NAME,	/* string */
	VMNET_ATTR_PORT_ID,	/* u32 */
	VMNET_ATTR_PORT_KIND,	/* u32, enum vmnet_port_kind */
	VMNET_ATTR_IFNAME,	/* string, < IFNAMSIZ */
	VMNET_ATTR_MAC,		/* 6 bytes */
	VMNET_ATTR_VLAN,	/* u16, 0..4095 */
	VMNET_ATTR_POLICY,	/* u32, VMNET_POLICY_* */
	VMNET_ATTR_RATE,	/* u64, bytes per second, 0 = unlimited */
	VMNET_ATTR_BURST,	/* u32, bytes */
	VMNET_ATTR_FLAGS,	/* u32, VMNET_PORT_* (read only) */
	VMNET_ATTR_STATS,	/* nested, VMNET_STAT_* */
	VMNET_ATTR_EVENT,	/* u32, enum vmnet_event */
	VMNET_ATTR_PORT_COUNT,	/* u32 */
	VMNET_ATTR_FDB_COUNT,	/* u32 */
	VMNET_ATTR_PAD,
	__VMNET_ATTR_MAX
};
#define VMNET_ATTR_MAX (__VMNET_ATTR_MAX - 1)

enum vmnet_stat {
	VMNET_STAT_UNSPEC,
	VMNET_STAT_RX_PACKETS,	/* frames the port sent into the switch */
	VMNET_STAT_RX_BYTES,
	VMNET_STAT_TX_PACKETS,	/* frames the switch delivered to the port */
	VMNET_STAT_TX_BYTES,
	VMNET_STAT_RX_DROPS,	/* refused at ingress: policy, VLAN, rate */
	VMNET_STAT_TX_DROPS,	/* lost at egress: queue full, no memory */
	VMNET_STAT_PAD,
	__VMNET_STAT_MAX
};
#define VMNET_STAT_MAX (__VMNET_STAT_MAX - 1)

enum vmnet_port_kind {
	VMNET_PORT_VM = 1,
	VMNET_PORT_HOSTIF,
	VMNET_PORT_UPLINK,
};

enum vmnet_event {
	VMNET_EVENT_ATTACH = 1,
	VMNET_EVENT_DETACH,
	VMNET_EVENT_CARRIER_UP,
	VMNET_EVENT_CARRIER_DOWN,
};

#define VMNET_POLICY_FORGED	(1U << 0)
#define VMNET_POLICY_PROMISC	(1U << 1)
#define VMNET_POLICY_ALL	(VMNET_POLICY_FORGED | VMNET_POLICY_PROMISC)

#define VMNET_PORT_PROMISC	(1U << 0)
#define VMNET_PORT_ALL		VMNET_PORT_PROMISC

/*
 * /dev/vmnet ioctls. ATTACH joins the file to a switch with a unicast,
 * non-zero MAC (EINVAL otherwise, ENOENT for no such switch, EISCONN if
 * attached already); DETACH leaves it; SET_FLAGS takes VMNET_PORT_* (EPERM
 * for PROMISC when the port's policy forbids it). Reserved fields must be 0.
 */
struct vmnet_attach {
	char switch_name[VMNET_NAME_MAX];
	__u8 mac[6];
	__u16 reserved;
	__u32 port_id;		/* out */
};

#define VMNET_IOC_MAGIC		0xE7
#define VMNET_IOC_ATTACH	_IOWR(VMNET_IOC_MAGIC, 1, struct vmnet_attach)
#define VMNET_IOC_DETACH	_IO(VMNET_IOC_MAGIC, 2)
#define VMNET_IOC_SET_FLAGS	_IOW(VMNET_IOC_MAGIC, 3, __u32)

#endif /* _UAPI_VMNET_H */
