// SPDX-License-Identifier: GPL-2.0
/*
 * Two VM ports on a host-only switch exchange frames both ways; frames
 * outside 14..1514 bytes are refused with EINVAL and nothing is sent; the
 * switch, ports and module go away cleanly.
 */
#include "vmnet_lib.h"

int main(void)
{
	struct vn_port a, b;
	uint8_t f[2000];
	int i;

	vn_setup();
	TEST_ASSERT(vn_switch_new("vsw0") == 0, "create vsw0: %s", vn_extack);
	TEST_ASSERT(vn_switch_new("vsw0") == -EEXIST, "second vsw0");
	a = vn_vm_open("vsw0", 1);
	b = vn_vm_open("vsw0", 2);
	TEST_ASSERT(a.id && b.id && a.id != b.id, "port ids %u %u", a.id, b.id);

	TEST_ASSERT(vn_send(&a, b.mac, 1, 60) == 60, "a -> b");
	TEST_ASSERT(vn_got(&b, 1, 1000), "b received a's frame");
	TEST_ASSERT(vn_send(&b, a.mac, 2, 1514) == 1514, "b -> a, 1514 bytes");
	TEST_ASSERT(vn_recv(&a, f, sizeof(f), 1000) == 1514, "a got 1514 bytes");
	TEST_ASSERT(!memcmp(f, a.mac, 6) && !memcmp(f + 6, b.mac, 6),
		    "addresses intact");
	for (i = 0; i < 100; i++)
		TEST_ASSERT(vn_send(&a, b.mac, 100 + i, 14 + i) == 14 + i,
			    "burst frame %d", i);
	for (i = 0; i < 100; i++)
		TEST_ASSERT(vn_recv(&b, f, sizeof(f), 1000) == 14 + i,
			    "burst frame %d arrives in order", i);

	vn_frame(f, b.mac, a.mac, 3, sizeof(f));
	errno = 0;
	TEST_ASSERT(write(a.fd, f, 1515) == -1 && errno == EINVAL, "1515 bytes");
	TEST_ASSERT(write(a.fd, f, 13) == -1 && errno == EINVAL, "13 bytes");
	TEST_ASSERT(write(a.fd, f, 0) == -1 && errno == EINVAL, "0 bytes");
	TEST_ASSERT(!vn_got(&b, 3, 200), "nothing sent for bad sizes");

	close(a.fd);
	close(b.fd);
	TEST_ASSERT(vn_switch_del("vsw0") == 0, "destroy vsw0");
	TEST_ASSERT(vn_switch_del("vsw0") == -ENOENT, "destroy it again");
	vn_teardown();
	TEST_NOTE("two ports exchanged frames; bad sizes refused");
	return 0;
}
