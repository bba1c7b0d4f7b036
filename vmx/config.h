/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM's configuration: VMware's .vmx format, one `key = "value"` per
 * line, '#' comments, keys case-insensitive, "|XX" hex escapes in values.
 *
 * Keys vmx uses now:
 *   displayName, guestOS, memsize (MB), numvcpus,
 *   kernel, initrd, cmdline          direct Linux boot (no BIOS)
 *   serial0.present                  TRUE/FALSE (default TRUE)
 *   serial0.fileType                 "stdio" (default), "file" (output
 *                                    only) or "pipe" (a Unix stream socket
 *                                    vmx listens on; one client at a time)
 *   serial0.fileName                 the file or socket path
 *   ethernetN.present                TRUE/FALSE (default FALSE), N = 0..3
 *   ethernetN.virtualDev             "virtio" (the default; the other
 *                                    VMware types are refused)
 *   ethernetN.networkName            the vmnet switch (it must exist)
 *   ethernetN.addressType            "static" or "generated" (default:
 *                                    static when .address is set)
 *   ethernetN.address                a static MAC, 00:50:56:00:00:00 to
 *                                    00:50:56:3f:ff:ff
 *                                    generated MACs are 00:0c:29:xx:xx:xx,
 *                                    a hash of the .vmx path and N
 *   other ethernetN.* keys are accepted and ignored
 *   scsiX.present                    TRUE: a SCSI adapter (X 0..3)
 *   scsiX.virtualDev                 "pvscsi" (the default; lsilogic,
 *                                    lsisas1068, buslogic are refused)
 *   scsiX:Y.present                  TRUE: a disk at target Y (0..15, not
 *                                    7, the adapter's own ID), LUN 0
 *   scsiX:Y.fileName                 its raw image or .vmdk (relative: to
 *                                    the .vmx file's directory)
 *   scsiX:Y.mode                     "persistent" (default) or
 *                                    "independent-persistent": writes go
 *                                    to the file; "nonpersistent" or
 *                                    "independent-nonpersistent": to a
 *                                    temporary delta dropped when vmx
 *                                    ends; "undoable": to the redo log
 *                                    FILENAME.REDO (made if absent,
 *                                    continued if present)
 *   scsiX:Y.undoAction               undoable only, what vmx does with the
 *                                    redo log when it ends: "keep"
 *                                    (default), "commit" (merge it into
 *                                    fileName, then delete it) or
 *                                    "discard" (delete it)
 *   scsiX:Y.deviceType               "scsi-hardDisk" (or "disk") only
 * Other scsiX.* / scsiX:Y.* properties are accepted and ignored. Every
 * other key is kept and ignored with a warning.
 */
#ifndef VMX_CONFIG_H
#define VMX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MEMSIZE_MAX	(1024 * 1024)	/* MB: 1 TiB */
#define CONFIG_VCPUS_MAX	16
#define CONFIG_ERR_LEN		512
#define CONFIG_NICS_MAX		4
#define CONFIG_NET_NAME_MAX	16	/* a vmnet switch name, with its NUL */
#define CONFIG_SCSI_ADAPTERS	4
#define CONFIG_SCSI_TARGETS	16
#define CONFIG_SCSI_SELF_ID	7	/* the adapter's own target ID */

enum serial_type {
	SERIAL_NONE,
	SERIAL_STDIO,
	SERIAL_FILE,
	SERIAL_PIPE,
};

enum config_disk_mode {
	CONFIG_DISK_PERSISTENT,
	CONFIG_DISK_IND_PERSISTENT,
	CONFIG_DISK_NONPERSISTENT,
	CONFIG_DISK_IND_NONPERSISTENT,
	CONFIG_DISK_UNDOABLE,
};

enum config_undo_action {
	CONFIG_UNDO_KEEP,
	CONFIG_UNDO_COMMIT,
	CONFIG_UNDO_DISCARD,
};

struct config_scsi_disk {
	bool present;
	char *file;		/* backing file: raw image or .vmdk */
	int line;		/* of scsiX:Y.present, for messages */
	int mode;		/* enum config_disk_mode */
	int undo_action;	/* enum config_undo_action */
	int undo_line;		/* of scsiX:Y.undoAction, 0 if absent */
};

struct config_scsi {
	bool present;		/* a PVSCSI adapter */
	struct config_scsi_disk disk[CONFIG_SCSI_TARGETS];
};

struct config_entry {
	char *key;
	char *value;
	int line;
	bool used;		/* a key vmx knows */
};

struct config_nic {
	bool present;
	char network[CONFIG_NET_NAME_MAX];
	int network_line;	/* for errors found when the VM starts */
	unsigned char mac[6];
	bool mac_generated;
};

struct vmx_config {
	char *path;		/* the .vmx file, "" for a buffer */
	char *display_name;
	char *guest_os;
	unsigned long memsize;	/* MB */
	unsigned int vcpus;
	char *kernel;
	char *initrd;
	char *cmdline;
	enum serial_type serial;
	char *serial_path;
	struct config_nic nics[CONFIG_NICS_MAX];
	struct config_scsi scsi[CONFIG_SCSI_ADAPTERS];

	struct config_entry *entries;
	size_t nr_entries;
};

/*
 * All return 0 or a negative errno; on error `err` (CONFIG_ERR_LEN bytes)
 * holds "FILE:LINE: why". Nothing is allocated on failure (config_free()
 * is still safe to call).
 */
int config_parse(struct vmx_config *cfg, const char *name, const char *text,
		 char *err);
int config_load(struct vmx_config *cfg, const char *path, char *err);
void config_free(struct vmx_config *cfg);

/*
 * Set key to value in the .vmx file at path, as vmx does when the VM's
 * configuration changes while it runs (a snapshot of a disk): the key's
 * line is replaced, or the key added at the end, every other line kept as
 * it was; the file is replaced whole (rename), never left half written.
 */
int config_update(const char *path, const char *key, const char *value, char *err);

/*
 * The MAC vmx generates for ethernetN of the .vmx file at PATH (an
 * absolute path gives the same MAC from any working directory).
 */
void config_generated_mac(const char *path, unsigned int n, unsigned char mac[6]);

/* The entry of KEY (case-insensitive), or NULL. */
const struct config_entry *config_find(const struct vmx_config *cfg,
				       const char *key);

#endif
