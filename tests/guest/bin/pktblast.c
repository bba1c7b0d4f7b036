// SPDX-License-Identifier: GPL-2.0
/*
 * pktblast IFNAME DSTMAC SIZE SECONDS: send SIZE-byte Ethernet frames
 * (FCS not counted; EtherType 0x88b5, local experimental) from IFNAME's
 * MAC to DSTMAC as fast as an AF_PACKET socket takes them, in batches of
 * sendmmsg(), for SECONDS; print "sent N in S s". The network benchmark's
 * frame source: what crosses the switch is counted at the receiver.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH	64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_mac(const char *s, unsigned char *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static unsigned char frame[ETH_FRAME_LEN];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct mmsghdr msgs[BATCH];
	struct iovec iov;
	unsigned long long sent = 0;
	struct ifreq ifr = { 0 };
	double t0, t;
	int fd, size, secs, one = 1, i, n;

	if (argc != 5) {
		fprintf(stderr, "usage: pktblast IFNAME DSTMAC SIZE SECONDS\n");
		return 2;
	}
	size = atoi(argv[3]);
	secs = atoi(argv[4]);
	if (size < ETH_ZLEN || size > ETH_FRAME_LEN || secs < 1 ||
	    parse_mac(argv[2], frame)) {
		fprintf(stderr, "pktblast: bad MAC, SIZE (%d..%d) or SECONDS\n",
			ETH_ZLEN, ETH_FRAME_LEN);
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("pktblast: socket");
		return 1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		fprintf(stderr, "pktblast: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memcpy(frame + ETH_ALEN, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	sll.sll_ifindex = if_nametoindex(argv[1]);
	sll.sll_halen = ETH_ALEN;
	memcpy(sll.sll_addr, frame, ETH_ALEN);
	/* no qdisc: what is measured is the path to the peer */
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));

	iov.iov_base = frame;
	iov.iov_len = size;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_name = &sll;
		msgs[i].msg_hdr.msg_namelen = sizeof(sll);
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now();
	do {
		n = sendmmsg(fd, msgs, BATCH, 0);
		if (n < 0 && errno != ENOBUFS && errno != EAGAIN) {
			perror("pktblast: sendmmsg");
			return 1;
		}
		if (n > 0)
			sent += n;
		t = now() - t0;
	} while (t < secs);
	printf("sent %llu in %.3f s\n", sent, t);
	return 0;
}
