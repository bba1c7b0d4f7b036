// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the .vmx parser. Last line: "N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "unit.h"

#define BASE "memsize = \"256\"\nkernel = \"/boot/vmlinuz\"\n"

static int parse(struct vmx_config *cfg, const char *text, char *err)
{
	return config_parse(cfg, "t.vmx", text, err);
}

/* A config that must be refused with an error containing `want`. */
static void bad(const char *name, const char *text, const char *want)
{
	struct vmx_config cfg;
	char err[CONFIG_ERR_LEN];
	int ret = parse(&cfg, text, err);

	CHECK(ret < 0, name);
	CHECK(strstr(err, want) != NULL, name);
	if (ret == 0 || !strstr(err, want))
		printf("  %s: got '%s', want '%s'\n", name, err, want);
	CHECK(cfg.nr_entries == 0 && cfg.kernel == NULL, name);
	config_free(&cfg);
}

static void test_good(void)
{
	struct vmx_config cfg;
	char err[CONFIG_ERR_LEN];
	const char *text =
		".encoding = \"UTF-8\"\n"
		"# a comment\n"
		"\n"
		"displayName = \"Debian |22test|22\"\n"
		"MEMSIZE=\"512\"   # trailing comment\n"
		"numvcpus = \"2\"\r\n"
		"guestOS = \"debian12-64\"\n"
		"kernel = \"vmlinuz\"\n"
		"initrd = \"initrd.gz\"\n"
		"cmdline = \"console=ttyS0 rdinit=/init\"\n"
		"serial0.present = \"TRUE\"\n"
		"serial0.fileType = \"pipe\"\n"
		"serial0.fileName = \"/tmp/con\"\n"
		"ethernet0.virtualDev = \"vmxnet3\"\n"
		"ethernet0.address = \"00:50:56:00:00:01\"\n"
		"scsi0.virtualDev = \"pvscsi\"\n"
		"scsi0:0.fileName = \"disk.vmdk\"\n"
		"floppy0.present = \"FALSE\"\n";

	CHECK(parse(&cfg, text, err) == 0, "good config");
	if (err[0])
		printf("  error: %s\n", err);
	CHECK(cfg.memsize == 512, "memsize, key case-insensitive");
	CHECK(cfg.vcpus == 2, "numvcpus");
	CHECK(cfg.display_name && !strcmp(cfg.display_name, "Debian \"test\""), "|22 escape");
	CHECK(cfg.guest_os && !strcmp(cfg.guest_os, "debian12-64"), "guestOS");
	CHECK(cfg.kernel && !strcmp(cfg.kernel, "vmlinuz"), "kernel");
	CHECK(cfg.initrd && !strcmp(cfg.initrd, "initrd.gz"), "initrd");
	CHECK(cfg.cmdline && !strcmp(cfg.cmdline, "console=ttyS0 rdinit=/init"), "cmdline");
	CHECK(cfg.serial == SERIAL_PIPE, "serial pipe");
	CHECK(cfg.serial_path && !strcmp(cfg.serial_path, "/tmp/con"), "serial path");
	CHECK(config_find(&cfg, "floppy0.present") != NULL, "unknown key kept");
	CHECK(config_find(&cfg, "scsi0:0.FILENAME") != NULL, "device key kept");
	CHECK(config_find(&cfg, "memsize")->line == 5, "line numbers");
	config_free(&cfg);
	CHECK(cfg.nr_entries == 0 && cfg.kernel == NULL, "config_free clears");
}

static void test_defaults(void)
{
	struct vmx_config cfg;
	char err[CONFIG_ERR_LEN];

	CHECK(parse(&cfg, BASE, err) == 0, "minimal config");
	CHECK(cfg.vcpus == 1, "default vcpus");
	CHECK(cfg.serial == SERIAL_STDIO, "default serial stdio");
	CHECK(cfg.initrd == NULL && cfg.cmdline == NULL, "no initrd/cmdline");
	config_free(&cfg);

	CHECK(parse(&cfg, BASE "serial0.present = \"FALSE\"\n", err) == 0, "serial off");
	CHECK(cfg.serial == SERIAL_NONE, "serial none");
	config_free(&cfg);

	CHECK(parse(&cfg, BASE "serial0.fileType = \"file\"\nserial0.fileName = \"c.log\"\n", err) == 0,
	      "serial file");
	CHECK(cfg.serial == SERIAL_FILE, "serial file type");
	config_free(&cfg);

	CHECK(parse(&cfg, BASE "memsize = \"128\"\n", err) == 0, "repeated key");
	CHECK(cfg.memsize == 128, "last repeat wins");
	config_free(&cfg);

	CHECK(parse(&cfg, BASE "x = \"\"\n", err) == 0, "empty value");
	config_free(&cfg);
}

static void test_bad(void)
{
	bad("missing kernel", "memsize = \"256\"\n", "kernel is missing");
	bad("empty kernel", "memsize = \"256\"\nkernel = \"\"\n", "t.vmx:2: kernel is missing");
	bad("missing memsize", "kernel = \"k\"\n", "memsize is missing");
	bad("memsize 0", "kernel = \"k\"\nmemsize = \"0\"\n", "t.vmx:2: memsize: 0 is out of range");
	bad("memsize huge", "kernel = \"k\"\nmemsize = \"99999999\"\n", "out of range");
	bad("memsize overflow", "kernel = \"k\"\nmemsize = \"99999999999999999999999\"\n",
	    "not a number");
	bad("memsize negative", "kernel = \"k\"\nmemsize = \"-5\"\n", "not a number");
	bad("memsize junk", "kernel = \"k\"\nmemsize = \"12x\"\n", "not a number");
	bad("memsize tiny", "kernel = \"k\"\nmemsize = \"8\"\n", "too small");
	bad("vcpus 0", BASE "numvcpus = \"0\"\n", "t.vmx:3: numvcpus");
	bad("vcpus 17", BASE "numvcpus = \"17\"\n", "out of range");
	bad("no equals", BASE "memsize \"1\"\n", "t.vmx:3: expected '='");
	bad("no quotes", BASE "memsize = 1\n", "t.vmx:3: the value must be in double quotes");
	bad("unterminated", BASE "displayName = \"abc\n", "t.vmx:3: unterminated");
	bad("trailing junk", BASE "displayName = \"abc\" def\n", "t.vmx:3: unexpected text");
	bad("no key", BASE "= \"abc\"\n", "t.vmx:3: expected a key");
	bad("bad key char", BASE "a/b = \"abc\"\n", "t.vmx:3: expected '='");
	bad("serial type", BASE "serial0.fileType = \"printer\"\n",
	    "t.vmx:3: serial0.fileType: unknown device type 'printer'");
	bad("serial no name", BASE "serial0.fileType = \"file\"\n", "needs serial0.fileName");
	bad("serial present", BASE "serial0.present = \"maybe\"\n", "not TRUE or FALSE");
	bad("nic type", BASE "ethernet0.virtualDev = \"ne2000\"\n",
	    "t.vmx:3: ethernet0.virtualDev: unknown device type 'ne2000'");
	bad("scsi type", BASE "scsi1.virtualDev = \"ide\"\n", "t.vmx:3: scsi1.virtualDev: unknown device type 'ide'");
	bad("device no prop", BASE "ethernet0 = \"x\"\n", "needs '.property'");
}

static void test_scsi(void)
{
	struct vmx_config cfg;
	char err[CONFIG_ERR_LEN];
	const char *text = BASE
		"scsi0.present = \"TRUE\"\n"
		"scsi0.virtualDev = \"pvscsi\"\n"
		"scsi0:0.present = \"TRUE\"\n"
		"scsi0:0.fileName = \"disk.vmdk\"\n"
		"scsi0:0.mode = \"independent-persistent\"\n"
		"scsi0:15.present = \"TRUE\"\n"
		"scsi0:15.fileName = \"/d/raw.img\"\n"
		"scsi0:15.deviceType = \"scsi-hardDisk\"\n"
		"scsi0:3.fileName = \"absent.img\"\n"
		"scsi1.present = \"FALSE\"\n"
		"scsi0.sharedBus = \"none\"\n";

	CHECK(parse(&cfg, text, err) == 0, "scsi config");
	if (err[0])
		printf("  error: %s\n", err);
	CHECK(cfg.scsi[0].present && !cfg.scsi[1].present, "scsi adapters");
	CHECK(cfg.scsi[0].disk[0].present && cfg.scsi[0].disk[0].file &&
	      !strcmp(cfg.scsi[0].disk[0].file, "disk.vmdk"), "scsi0:0");
	CHECK(cfg.scsi[0].disk[15].present && cfg.scsi[0].disk[0].line == 5, "scsi0:15");
	CHECK(!cfg.scsi[0].disk[3].present, "fileName without present");
	CHECK(cfg.scsi[0].disk[0].mode == CONFIG_DISK_IND_PERSISTENT &&
	      cfg.scsi[0].disk[15].mode == CONFIG_DISK_PERSISTENT, "scsi modes");
	config_free(&cfg);

	CHECK(parse(&cfg, BASE "scsi0.present = \"TRUE\"\n"
		    "scsi0:0.present = \"TRUE\"\nscsi0:0.fileName = \"a\"\n"
		    "scsi0:0.mode = \"nonpersistent\"\n"
		    "scsi0:1.present = \"TRUE\"\nscsi0:1.fileName = \"b\"\n"
		    "scsi0:1.mode = \"Undoable\"\nscsi0:1.undoAction = \"commit\"\n"
		    "scsi0:2.present = \"TRUE\"\nscsi0:2.fileName = \"c\"\n"
		    "scsi0:2.mode = \"undoable\"\n", err) == 0, "scsi nonpersistent, undoable");
	CHECK(cfg.scsi[0].disk[0].mode == CONFIG_DISK_NONPERSISTENT &&
	      cfg.scsi[0].disk[1].mode == CONFIG_DISK_UNDOABLE &&
	      cfg.scsi[0].disk[1].undo_action == CONFIG_UNDO_COMMIT &&
	      cfg.scsi[0].disk[2].undo_action == CONFIG_UNDO_KEEP, "scsi mode values");
	config_free(&cfg);

	bad("scsi lsilogic", BASE "scsi0.virtualDev = \"lsilogic\"\n",
	    "t.vmx:3: scsi0.virtualDev: adapter type 'lsilogic' is not supported (only \"pvscsi\")");
	bad("scsi buslogic", BASE "scsi2.virtualDev = \"buslogic\"\n", "t.vmx:3: scsi2.virtualDev: adapter type 'buslogic'");
	bad("scsi sas", BASE "scsi0.virtualDev = \"lsisas1068\"\n", "not supported");
	bad("scsi adapter range", BASE "scsi4.present = \"TRUE\"\n", "t.vmx:3: scsi4.present: adapter number out of range");
	bad("scsi target range", BASE "scsi0:16.present = \"TRUE\"\n", "t.vmx:3: scsi0:16.present: target number out of range");
	bad("scsi target 7", BASE "scsi0:7.present = \"TRUE\"\n", "t.vmx:3: scsi0:7.present: target 7 is the adapter's own SCSI ID");
	bad("scsi target junk", BASE "scsi0:x.present = \"TRUE\"\n", "t.vmx:3: scsi0:x.present: target number");
	bad("scsi no prop", BASE "scsi0:1 = \"TRUE\"\n", "needs '.property'");
	bad("scsi no adapter", BASE "scsi1:0.present = \"TRUE\"\nscsi1:0.fileName = \"a\"\n",
	    "t.vmx:3: scsi1:0.present: adapter scsi1 is not present");
	bad("scsi no file", BASE "scsi0.present = \"TRUE\"\nscsi0:2.present = \"TRUE\"\n",
	    "t.vmx:4: scsi0:2.present: scsi0:2.fileName is missing");
	bad("scsi undoAction", BASE "scsi0:0.undoAction = \"maybe\"\n",
	    "t.vmx:3: scsi0:0.undoAction: unknown undo action 'maybe' (keep, commit or discard)");
	bad("scsi undoAction persistent", BASE "scsi0.present = \"TRUE\"\n"
	    "scsi0:2.present = \"TRUE\"\nscsi0:2.fileName = \"a\"\nscsi0:2.undoAction = \"commit\"\n",
	    "t.vmx:6: scsi0:2.undoAction: only for mode \"undoable\"");
	bad("scsi mode", BASE "scsi0:0.mode = \"sometimes\"\n", "t.vmx:3: scsi0:0.mode: unknown disk mode 'sometimes' (persistent, nonpersistent");
	bad("scsi present bool", BASE "scsi0:0.present = \"yes\"\n", "t.vmx:3: scsi0:0.present: 'yes' is not TRUE or FALSE");
	bad("scsi cdrom", BASE "scsi0:1.deviceType = \"cdrom-image\"\n", "device type 'cdrom-image' is not supported");
}

static void test_load(void)
{
	struct vmx_config cfg;
	char err[CONFIG_ERR_LEN];
	const char *path = "/tmp/vmx-config-test.vmx";
	FILE *f = fopen(path, "w");

	CHECK(f != NULL, "temp file");
	if (!f)
		return;
	fputs(BASE "initrd = \"sub/initrd\"\nkernel = \"vmlinuz\"\n"
	      "scsi0.present = \"TRUE\"\nscsi0:1.present = \"TRUE\"\nscsi0:1.fileName = \"d.img\"\n", f);
	fclose(f);
	CHECK(config_load(&cfg, path, err) == 0, "load");
	CHECK(cfg.kernel && !strcmp(cfg.kernel, "/tmp/vmlinuz"), "kernel relative to the file");
	CHECK(cfg.initrd && !strcmp(cfg.initrd, "/tmp/sub/initrd"), "initrd relative to the file");
	CHECK(cfg.scsi[0].disk[1].file && !strcmp(cfg.scsi[0].disk[1].file, "/tmp/d.img"),
	      "disk relative to the file");
	config_free(&cfg);
	remove(path);
	CHECK(config_load(&cfg, path, err) < 0, "missing file");
	CHECK(strstr(err, "No such file") != NULL, "missing file message");
}

/* config_update: one line replaced (or added), the rest kept byte for byte. */
static void test_update(void)
{
	const char *path = "/tmp/vmx-config-update.vmx";
	const char *text = "# a comment\n" BASE "SCSI0:1.fileName = \"d.vmdk\"  # old\n"
			   "scsi0:1.mode = \"persistent\"\n";
	struct vmx_config cfg;
	char err[CONFIG_ERR_LEN], buf[1024];
	FILE *f = fopen(path, "w");
	size_t n;

	CHECK(f != NULL, "temp file");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
	CHECK(config_update(path, "scsi0:1.fileName", "snap \"1\"|.vmdk", err) == 0, "update");
	CHECK(config_update(path, "scsi0:2.fileName", "e.vmdk", err) == 0, "update, new key");
	f = fopen(path, "r");
	n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = 0;
	CHECK(!strcmp(buf, "# a comment\n" BASE "scsi0:1.fileName = \"snap |221|22|7C.vmdk\"\n"
		      "scsi0:1.mode = \"persistent\"\nscsi0:2.fileName = \"e.vmdk\"\n"),
	      "updated text");
	CHECK(config_load(&cfg, path, err) == 0 && cfg.scsi[0].disk[1].file &&
	      !strcmp(cfg.scsi[0].disk[1].file, "/tmp/snap \"1\"|.vmdk"), "updated value reads back");
	config_free(&cfg);
	remove(path);
	CHECK(config_update(path, "a", "b", err) < 0 && strstr(err, "No such file"), "update a missing file");
}

#define NIC0 "ethernet0.present = \"TRUE\"\nethernet0.networkName = \"inside\"\n"

static void test_nics(void)
{
	struct vmx_config cfg;
	char err[CONFIG_ERR_LEN];
	unsigned char mac0[6], mac1[6];
	const char *text = BASE
		"ethernet0.present = \"TRUE\"\n"
		"ethernet0.virtualDev = \"virtio\"\n"
		"ethernet0.networkName = \"outside\"\n"
		"ethernet0.addressType = \"static\"\n"
		"ethernet0.address = \"00:50:56:3F:00:01\"\n"
		"ethernet1.present = \"TRUE\"\n"
		"ethernet1.networkName = \"in_side-2\"\n"
		"ethernet1.connectionType = \"custom\"\n"
		"ethernet2.present = \"FALSE\"\n"
		"ethernet2.virtualDev = \"e1000\"\n"
		"ethernet3.present = \"TRUE\"\n"
		"ethernet3.networkName = \"x\"\n"
		"ethernet3.addressType = \"generated\"\n";

	CHECK(parse(&cfg, text, err) == 0, "NICs");
	if (err[0])
		printf("  error: %s\n", err);
	CHECK(cfg.nics[0].present && !strcmp(cfg.nics[0].network, "outside"), "nic0");
	CHECK(!memcmp(cfg.nics[0].mac, "\x00\x50\x56\x3f\x00\x01", 6), "static MAC");
	CHECK(!cfg.nics[0].mac_generated && cfg.nics[0].network_line == 5, "nic0 line");
	CHECK(cfg.nics[1].present && !strcmp(cfg.nics[1].network, "in_side-2"), "nic1");
	CHECK(cfg.nics[1].mac_generated, "no address: generated");
	CHECK(!memcmp(cfg.nics[1].mac, "\x00\x0c\x29", 3), "generated prefix 00:0c:29");
	CHECK(!cfg.nics[2].present, "present FALSE, its type not checked");
	CHECK(cfg.nics[3].present && cfg.nics[3].mac_generated, "nic3");
	CHECK(memcmp(cfg.nics[1].mac, cfg.nics[3].mac, 6), "generated MACs differ per NIC");
	memcpy(mac1, cfg.nics[1].mac, 6);
	config_free(&cfg);

	CHECK(parse(&cfg, text, err) == 0, "NICs again");
	CHECK(!memcmp(cfg.nics[1].mac, mac1, 6), "generated MAC stable");
	config_free(&cfg);
	config_generated_mac("/a/b.vmx", 0, mac0);
	config_generated_mac("/a/c.vmx", 0, mac1);
	CHECK(memcmp(mac0, mac1, 6), "generated MAC depends on the path");
	config_generated_mac("/a/b.vmx", 0, mac1);
	CHECK(!memcmp(mac0, mac1, 6), "generated MAC is a function of path and N");

	CHECK(parse(&cfg, BASE "ethernet0.networkName = \"x\"\n", err) == 0 &&
	      !cfg.nics[0].present, "no present key: no NIC");
	config_free(&cfg);
}

static void test_bad_nics(void)
{
	bad("5th NIC", BASE "ethernet4.present = \"TRUE\"\n", "t.vmx:3: ethernet4.present: at most 4 NICs");
	bad("NIC type", BASE NIC0 "ethernet0.virtualDev = \"vmxnet3\"\n",
	    "t.vmx:5: ethernet0.virtualDev: 'vmxnet3' is not supported (only \"virtio\")");
	bad("unknown NIC type", BASE "ethernet0.virtualDev = \"ne2000\"\n", "unknown device type");
	bad("no network", BASE "ethernet1.present = \"TRUE\"\n",
	    "t.vmx:3: ethernet1 needs ethernet1.networkName");
	bad("bad network name", BASE "ethernet0.present = \"TRUE\"\nethernet0.networkName = \"a b\"\n",
	    "t.vmx:4: ethernet0.networkName: 'a b' is not a vmnet switch name");
	bad("long network name", BASE "ethernet0.present = \"TRUE\"\nethernet0.networkName = \"0123456789abcdef\"\n",
	    "is not a vmnet switch name");
	bad("present not bool", BASE "ethernet0.present = \"yes\"\n", "t.vmx:3: ethernet0.present: 'yes' is not TRUE");
	bad("bad MAC", BASE NIC0 "ethernet0.address = \"00:50:56:00:00\"\n",
	    "t.vmx:5: ethernet0.address: '00:50:56:00:00' is not a MAC address");
	bad("bad MAC hex", BASE NIC0 "ethernet0.address = \"00:50:56:0g:00:01\"\n", "is not a MAC address");
	bad("MAC out of range", BASE NIC0 "ethernet0.address = \"00:50:56:40:00:00\"\n",
	    "t.vmx:5: ethernet0.address: 00:50:56:40:00:00 is outside the static range");
	bad("multicast MAC", BASE NIC0 "ethernet0.address = \"01:50:56:00:00:01\"\n", "outside the static range");
	bad("other OUI", BASE NIC0 "ethernet0.address = \"00:0c:29:00:00:01\"\n", "outside the static range");
	bad("static without address", BASE NIC0 "ethernet0.addressType = \"static\"\n",
	    "t.vmx:5: ethernet0.addressType \"static\" needs ethernet0.address");
	bad("bad address type", BASE NIC0 "ethernet0.addressType = \"vpx\"\n",
	    "t.vmx:5: ethernet0.addressType: 'vpx' is not \"static\" or \"generated\"");
	bad("same MAC twice", BASE NIC0 "ethernet0.address = \"00:50:56:00:00:01\"\n"
	    "ethernet1.present = \"TRUE\"\nethernet1.networkName = \"y\"\n"
	    "ethernet1.address = \"00:50:56:00:00:01\"\n",
	    "t.vmx:8: ethernet1.address: 00:50:56:00:00:01 is ethernet0's address too");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);	/* keep the summary after the warnings */
	test_good();
	test_defaults();
	test_bad();
	test_scsi();
	test_load();
	test_update();
	test_nics();
	test_bad_nics();
	return unit_done();
}
