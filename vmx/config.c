// SPDX-License-Identifier: GPL-2.0
/* The .vmx configuration file: syntax first, then the meaning of each key. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define CONFIG_FILE_MAX	(1024 * 1024)

static int cfg_error(char *err, const char *name, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = line ? snprintf(err, CONFIG_ERR_LEN, "%s:%d: ", name, line)
		 : snprintf(err, CONFIG_ERR_LEN, "%s: ", name);
	if (n < 0 || n >= CONFIG_ERR_LEN)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(err + n, CONFIG_ERR_LEN - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Split one line into key and value, in place. Returns 1 for an entry,
 * 0 for a blank or comment line, or a negative errno with `why` set.
 */
static int parse_line(char *s, char **key, char **value, const char **why)
{
	char *p, *out;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s || *s == '#')
		return 0;
	*key = s;
	while (*s && (isalnum((unsigned char)*s) || strchr("._:-", *s)))
		s++;
	if (s == *key) {
		*why = "expected a key";
		return -EINVAL;
	}
	p = s;
	while (isspace((unsigned char)*s))
		s++;
	if (*s != '=') {
		*why = "expected '=' after the key";
		return -EINVAL;
	}
	*p = '\0';
	s++;
	while (isspace((unsigned char)*s))
		s++;
	if (*s != '"') {
		*why = "the value must be in double quotes";
		return -EINVAL;
	}
	*value = out = ++s;
	for (; *s && *s != '"'; s++) {
		if (*s == '|' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*out++ = (char)(hexval(s[1]) << 4 | hexval(s[2]));
			s += 2;
		} else {
			*out++ = *s;
		}
	}
	if (*s != '"') {
		*why = "unterminated value (missing closing '\"')";
		return -EINVAL;
	}
	s++;
	*out = '\0';
	while (isspace((unsigned char)*s))
		s++;
	if (*s && *s != '#') {
		*why = "unexpected text after the value";
		return -EINVAL;
	}
	return 1;
}

static int add_entry(struct vmx_config *cfg, const char *key, const char *value,
		     int line)
{
	struct config_entry *e;
	size_t i;

	for (i = 0; i < cfg->nr_entries; i++) {
		e = &cfg->entries[i];
		if (strcasecmp(e->key, key))
			continue;
		fprintf(stderr, "vmx: %s:%d: warning: '%s' repeats line %d; the last one counts\n",
			cfg->path, line, key, e->line);
		free(e->value);
		e->value = strdup(value);
		e->line = line;
		return e->value ? 0 : -ENOMEM;
	}
	e = realloc(cfg->entries, (cfg->nr_entries + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	cfg->entries = e;
	e = &e[cfg->nr_entries];
	e->key = strdup(key);
	e->value = strdup(value);
	e->line = line;
	e->used = false;
	cfg->nr_entries++;
	return e->key && e->value ? 0 : -ENOMEM;
}

const struct config_entry *config_find(const struct vmx_config *cfg,
				       const char *key)
{
	size_t i;

	for (i = 0; i < cfg->nr_entries; i++)
		if (!strcasecmp(cfg->entries[i].key, key))
			return &cfg->entries[i];
	return NULL;
}

/* The meaning of the keys. */

static int parse_number(const struct config_entry *e, const char *name,
			unsigned long min, unsigned long max,
			unsigned long *out, char *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(e->value, &end, 10);
	if (errno || end == e->value || *end || e->value[0] == '-')
		return cfg_error(err, name, e->line, "%s: '%s' is not a number",
				 e->key, e->value);
	if (v < min || v > max)
		return cfg_error(err, name, e->line, "%s: %lu is out of range (%lu..%lu)",
				 e->key, v, min, max);
	*out = v;
	return 0;
}

static int parse_bool(const struct config_entry *e, const char *name, bool *out,
		      char *err)
{
	if (!strcasecmp(e->value, "true") || !strcmp(e->value, "1")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(e->value, "false") || !strcmp(e->value, "0")) {
		*out = false;
		return 0;
	}
	return cfg_error(err, name, e->line, "%s: '%s' is not TRUE or FALSE",
			 e->key, e->value);
}

/* The index of value in a NULL-terminated list (any case), or -1. */
static int index_of(const char *value, const char *const *list)
{
	int i;

	for (i = 0; list[i]; i++)
		if (!strcasecmp(value, list[i]))
			return i;
	return -1;
}

static bool one_of(const char *v, const char *const *list)
{
	return index_of(v, list) >= 0;
}

static const char *const nic_types[] = {
	"e1000", "e1000e", "vmxnet", "vmxnet3", "vlance", "virtio", NULL
};
/* ethernetN.*: accepted now, used by a later issue; scsi keys: parse_scsi(). */
static int check_device_key(struct config_entry *e, const char *name, char *err)
{
	const char *k = e->key, *dot = strchr(k, '.');
	unsigned long n;
	char *end;

	if (!strncasecmp(k, "scsi", 4) && isdigit((unsigned char)k[4])) {
		if (!dot)
			return cfg_error(err, name, e->line, "%s: a device key needs '.property'", k);
		return 0;
	}
	if (strncasecmp(k, "ethernet", 8) || !isdigit((unsigned char)k[8]))
		return 0;
	n = strtoul(k + 8, &end, 10);
	if (n >= CONFIG_NICS_MAX && (*end == '.' || !*end))
		return cfg_error(err, name, e->line,
				 "%s: at most %d NICs (ethernet0 to ethernet%d)",
				 k, CONFIG_NICS_MAX, CONFIG_NICS_MAX - 1);
	if (!dot)
		return cfg_error(err, name, e->line, "%s: a device key needs '.property'", k);
	e->used = true;
	if (!strcasecmp(dot, ".virtualDev") && !one_of(e->value, nic_types))
		return cfg_error(err, name, e->line, "%s: unknown device type '%s'",
				 k, e->value);
	return 0;
}

/* SCSI: scsiX.* (the adapter) and scsiX:Y.* (a disk). */

static const char *const scsi_refused[] = {
	"lsilogic", "lsisas1068", "buslogic", "virtio", NULL
};
/* scsiX:Y.mode, by enum config_disk_mode; NULL-terminated. */
static const char *const scsi_modes[] = {
	[CONFIG_DISK_PERSISTENT] = "persistent",
	[CONFIG_DISK_IND_PERSISTENT] = "independent-persistent",
	[CONFIG_DISK_NONPERSISTENT] = "nonpersistent",
	[CONFIG_DISK_IND_NONPERSISTENT] = "independent-nonpersistent",
	[CONFIG_DISK_UNDOABLE] = "undoable",
	NULL
};
/* scsiX:Y.undoAction, by enum config_undo_action. */
static const char *const scsi_undo_actions[] = {
	[CONFIG_UNDO_KEEP] = "keep",
	[CONFIG_UNDO_COMMIT] = "commit",
	[CONFIG_UNDO_DISCARD] = "discard",
	NULL
};

/* Split "scsiX[:Y].prop": y is -1 for an adapter key. NULL if it is one. */
static const char *scsi_key(const char *k, int *x, int *y, const char **prop)
{
	char *end;
	long v;

	v = strtol(k + 4, &end, 10);
	if (end == k + 4 || v < 0 || v >= CONFIG_SCSI_ADAPTERS)
		return "adapter number out of range (scsi0..scsi3)";
	*x = v;
	*y = -1;
	if (*end == ':') {
		const char *p = end + 1;

		v = strtol(p, &end, 10);
		if (end == p || !isdigit((unsigned char)*p) || v < 0 ||
		    v >= CONFIG_SCSI_TARGETS)
			return "target number out of range (0..15)";
		if (v == CONFIG_SCSI_SELF_ID)
			return "target 7 is the adapter's own SCSI ID";
		*y = v;
	}
	if (*end != '.' || !end[1])
		return "expected scsiX.property or scsiX:Y.property";
	*prop = end + 1;
	return NULL;
}

static int scsi_adapter_prop(struct vmx_config *cfg, const struct config_entry *e,
			     int x, const char *prop, const char *name, char *err)
{
	if (!strcasecmp(prop, "present"))
		return parse_bool(e, name, &cfg->scsi[x].present, err);
	if (strcasecmp(prop, "virtualDev") || !strcasecmp(e->value, "pvscsi"))
		return 0;
	if (one_of(e->value, scsi_refused))
		return cfg_error(err, name, e->line,
				 "%s: adapter type '%s' is not supported (only \"pvscsi\")",
				 e->key, e->value);
	return cfg_error(err, name, e->line, "%s: unknown device type '%s'",
			 e->key, e->value);
}

static int scsi_disk_prop(struct vmx_config *cfg, const struct config_entry *e,
			  int x, int y, const char *prop, const char *name, char *err)
{
	struct config_scsi_disk *d = &cfg->scsi[x].disk[y];

	if (!strcasecmp(prop, "present")) {
		d->line = e->line;
		return parse_bool(e, name, &d->present, err);
	}
	if (!strcasecmp(prop, "fileName")) {
		free(d->file);
		d->file = strdup(e->value);
		return d->file ? 0 : -ENOMEM;
	}
	if (!strcasecmp(prop, "mode")) {
		d->mode = index_of(e->value, scsi_modes);
		if (d->mode >= 0)
			return 0;
		return cfg_error(err, name, e->line,
				 "%s: unknown disk mode '%s' (persistent, nonpersistent, undoable, independent-persistent or independent-nonpersistent)",
				 e->key, e->value);
	}
	if (!strcasecmp(prop, "undoAction")) {
		d->undo_action = index_of(e->value, scsi_undo_actions);
		d->undo_line = e->line;
		if (d->undo_action >= 0)
			return 0;
		return cfg_error(err, name, e->line,
				 "%s: unknown undo action '%s' (keep, commit or discard)",
				 e->key, e->value);
	}
	if (!strcasecmp(prop, "deviceType") && strcasecmp(e->value, "scsi-hardDisk") &&
	    strcasecmp(e->value, "disk"))
		return cfg_error(err, name, e->line,
				 "%s: device type '%s' is not supported (only scsi-hardDisk)",
				 e->key, e->value);
	return 0;
}

static int parse_scsi(struct vmx_config *cfg, const char *name, char *err)
{
	const char *why, *prop;
	size_t i;
	int x, y, ret;

	for (i = 0; i < cfg->nr_entries; i++) {
		struct config_entry *e = &cfg->entries[i];

		if (strncasecmp(e->key, "scsi", 4) || !isdigit((unsigned char)e->key[4]))
			continue;
		e->used = true;
		why = scsi_key(e->key, &x, &y, &prop);
		if (why)
			return cfg_error(err, name, e->line, "%s: %s", e->key, why);
		ret = y < 0 ? scsi_adapter_prop(cfg, e, x, prop, name, err)
			    : scsi_disk_prop(cfg, e, x, y, prop, name, err);
		if (ret)
			return ret;
	}
	for (x = 0; x < CONFIG_SCSI_ADAPTERS; x++) {
		for (y = 0; y < CONFIG_SCSI_TARGETS; y++) {
			struct config_scsi_disk *d = &cfg->scsi[x].disk[y];

			if (!d->present)
				continue;
			if (!cfg->scsi[x].present)
				return cfg_error(err, name, d->line,
						 "scsi%d:%d.present: adapter scsi%d is not present (scsi%d.present = \"TRUE\")",
						 x, y, x, x);
			if (!d->file || !d->file[0])
				return cfg_error(err, name, d->line,
						 "scsi%d:%d.present: scsi%d:%d.fileName is missing",
						 x, y, x, y);
			if (d->undo_line && d->mode != CONFIG_DISK_UNDOABLE)
				return cfg_error(err, name, d->undo_line,
						 "scsi%d:%d.undoAction: only for mode \"undoable\"",
						 x, y);
		}
	}
	return 0;
}

static int parse_serial(struct vmx_config *cfg, const char *name, char *err)
{
	const struct config_entry *type = config_find(cfg, "serial0.fileType");
	const struct config_entry *file = config_find(cfg, "serial0.fileName");
	const struct config_entry *present = config_find(cfg, "serial0.present");
	bool on = true;
	int ret;

	cfg->serial = SERIAL_STDIO;
	if (present) {
		ret = parse_bool(present, name, &on, err);
		if (ret)
			return ret;
		if (!on) {
			cfg->serial = SERIAL_NONE;
			return 0;
		}
	}
	if (!type)
		return 0;
	if (!strcasecmp(type->value, "stdio"))
		return 0;
	if (!strcasecmp(type->value, "file"))
		cfg->serial = SERIAL_FILE;
	else if (!strcasecmp(type->value, "pipe"))
		cfg->serial = SERIAL_PIPE;
	else
		return cfg_error(err, name, type->line,
				 "serial0.fileType: unknown device type '%s' (stdio, file or pipe)",
				 type->value);
	if (!file || !file->value[0])
		return cfg_error(err, name, type->line,
				 "serial0.fileType \"%s\" needs serial0.fileName", type->value);
	cfg->serial_path = strdup(file->value);
	return cfg->serial_path ? 0 : -ENOMEM;
}

/* "00:50:56:12:34:56" (or with '-'), any case. */
static int parse_mac(const char *v, unsigned char mac[6])
{
	int i;

	if (strlen(v) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		const char *p = v + 3 * i;

		if (hexval(p[0]) < 0 || hexval(p[1]) < 0 ||
		    (i < 5 && p[2] != ':' && p[2] != '-'))
			return -EINVAL;
		mac[i] = hexval(p[0]) << 4 | hexval(p[1]);
	}
	return 0;
}

/* 64-bit FNV-1a of the path and the NIC's number: stable across runs. */
void config_generated_mac(const char *path, unsigned int n, unsigned char mac[6])
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	h = (h ^ (n + 1)) * 0x100000001b3ULL;
	h ^= h >> 32;
	mac[0] = 0x00;
	mac[1] = 0x0c;
	mac[2] = 0x29;
	mac[3] = h >> 16;
	mac[4] = h >> 8;
	mac[5] = h;
}

static const struct config_entry *nic_key(const struct vmx_config *cfg,
					  unsigned int n, const char *prop)
{
	char key[64];

	snprintf(key, sizeof(key), "ethernet%u.%s", n, prop);
	return config_find(cfg, key);
}

static int parse_nic_address(struct vmx_config *cfg, unsigned int n,
			     const char *name, char *err)
{
	const struct config_entry *type = nic_key(cfg, n, "addressType");
	const struct config_entry *addr = nic_key(cfg, n, "address");
	struct config_nic *nic = &cfg->nics[n];
	bool fixed = addr != NULL;
	unsigned int i;

	if (type && !strcasecmp(type->value, "static"))
		fixed = true;
	else if (type && !strcasecmp(type->value, "generated"))
		fixed = false;
	else if (type)
		return cfg_error(err, name, type->line,
				 "ethernet%u.addressType: '%s' is not \"static\" or \"generated\"",
				 n, type->value);
	if (!fixed) {
		if (addr)
			fprintf(stderr, "vmx: %s:%d: warning: ethernet%u.address ignored: the address is generated\n",
				name, addr->line, n);
		nic->mac_generated = true;
		config_generated_mac(name, n, nic->mac);
		return 0;
	}
	if (!addr)
		return cfg_error(err, name, type->line,
				 "ethernet%u.addressType \"static\" needs ethernet%u.address", n, n);
	if (parse_mac(addr->value, nic->mac))
		return cfg_error(err, name, addr->line,
				 "ethernet%u.address: '%s' is not a MAC address (00:50:56:xx:xx:xx)",
				 n, addr->value);
	if (nic->mac[0] != 0x00 || nic->mac[1] != 0x50 || nic->mac[2] != 0x56 ||
	    nic->mac[3] > 0x3f)
		return cfg_error(err, name, addr->line,
				 "ethernet%u.address: %s is outside the static range 00:50:56:00:00:00 to 00:50:56:3f:ff:ff",
				 n, addr->value);
	for (i = 0; i < n; i++)
		if (cfg->nics[i].present && !memcmp(cfg->nics[i].mac, nic->mac, 6))
			return cfg_error(err, name, addr->line,
					 "ethernet%u.address: %s is ethernet%u's address too",
					 n, addr->value, i);
	return 0;
}

static int parse_nic(struct vmx_config *cfg, unsigned int n, const char *name,
		     char *err)
{
	const struct config_entry *present = nic_key(cfg, n, "present");
	const struct config_entry *dev = nic_key(cfg, n, "virtualDev");
	const struct config_entry *net = nic_key(cfg, n, "networkName");
	struct config_nic *nic = &cfg->nics[n];
	const char *c;
	int ret;

	if (!present)
		return 0;
	ret = parse_bool(present, name, &nic->present, err);
	if (ret || !nic->present)
		return ret;
	if (dev && strcasecmp(dev->value, "virtio"))
		return cfg_error(err, name, dev->line,
				 "ethernet%u.virtualDev: '%s' is not supported (only \"virtio\")",
				 n, dev->value);
	if (!net || !net->value[0])
		return cfg_error(err, name, net ? net->line : present->line,
				 "ethernet%u needs ethernet%u.networkName (a vmnet switch)", n, n);
	for (c = net->value; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
			break;
	if (*c || strlen(net->value) >= CONFIG_NET_NAME_MAX)
		return cfg_error(err, name, net->line,
				 "ethernet%u.networkName: '%s' is not a vmnet switch name (1 to %d of A-Z a-z 0-9 _ -)",
				 n, net->value, CONFIG_NET_NAME_MAX - 1);
	strcpy(nic->network, net->value);
	nic->network_line = net->line;
	return parse_nic_address(cfg, n, name, err);
}

static const char *const known_keys[] = {
	".encoding", "config.version", "virtualHW.version", "displayName",
	"guestOS", "memsize", "numvcpus", "kernel", "initrd", "cmdline",
	"serial0.present", "serial0.fileType", "serial0.fileName", NULL
};

static int copy_string(struct vmx_config *cfg, const char *key, char **out)
{
	const struct config_entry *e = config_find(cfg, key);

	if (!e)
		return 0;
	*out = strdup(e->value);
	return *out ? 0 : -ENOMEM;
}

static int interpret(struct vmx_config *cfg, const char *name, char *err)
{
	const struct config_entry *e;
	unsigned long v;
	size_t i;
	int ret;

	for (i = 0; i < cfg->nr_entries; i++) {
		struct config_entry *ent = &cfg->entries[i];

		ret = check_device_key(ent, name, err);
		if (ret)
			return ret;
		if (one_of(ent->key, known_keys))
			ent->used = true;
	}

	e = config_find(cfg, "memsize");
	if (!e)
		return cfg_error(err, name, 0, "memsize is missing");
	ret = parse_number(e, name, 1, CONFIG_MEMSIZE_MAX, &cfg->memsize, err);
	if (ret)
		return ret;
	if (cfg->memsize < 16)
		return cfg_error(err, name, e->line, "memsize: %lu MB is too small to boot Linux (16 at least)",
				 cfg->memsize);

	cfg->vcpus = 1;
	e = config_find(cfg, "numvcpus");
	if (e) {
		ret = parse_number(e, name, 1, CONFIG_VCPUS_MAX, &v, err);
		if (ret)
			return ret;
		cfg->vcpus = v;
	}

	e = config_find(cfg, "kernel");
	if (!e || !e->value[0])
		return cfg_error(err, name, e ? e->line : 0,
				 "kernel is missing (the guest kernel to boot, a bzImage)");

	if ((ret = copy_string(cfg, "displayName", &cfg->display_name)) ||
	    (ret = copy_string(cfg, "guestOS", &cfg->guest_os)) ||
	    (ret = copy_string(cfg, "kernel", &cfg->kernel)) ||
	    (ret = copy_string(cfg, "initrd", &cfg->initrd)) ||
	    (ret = copy_string(cfg, "cmdline", &cfg->cmdline)))
		return ret;
	if (cfg->initrd && !cfg->initrd[0]) {
		free(cfg->initrd);
		cfg->initrd = NULL;
	}

	ret = parse_serial(cfg, name, err);
	if (ret)
		return ret;
	for (i = 0; i < CONFIG_NICS_MAX; i++) {
		ret = parse_nic(cfg, i, name, err);
		if (ret)
			return ret;
	}
	ret = parse_scsi(cfg, name, err);
	if (ret)
		return ret;

	for (i = 0; i < cfg->nr_entries; i++)
		if (!cfg->entries[i].used)
			fprintf(stderr, "vmx: %s:%d: warning: unknown key '%s' ignored\n",
				name, cfg->entries[i].line, cfg->entries[i].key);
	return 0;
}

int config_parse(struct vmx_config *cfg, const char *name, const char *text,
		 char *err)
{
	char *buf, *line, *next;
	const char *why = NULL;
	char *key, *value;
	int n = 0, ret = 0;

	memset(cfg, 0, sizeof(*cfg));
	err[0] = '\0';
	cfg->path = strdup(name);
	buf = strdup(text);
	if (!cfg->path || !buf) {
		ret = -ENOMEM;
		goto out;
	}
	for (line = buf; line; line = next) {
		n++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		ret = parse_line(line, &key, &value, &why);
		if (ret < 0) {
			cfg_error(err, name, n, "%s", why);
			goto out;
		}
		if (ret == 0)
			continue;
		ret = add_entry(cfg, key, value, n);
		if (ret)
			goto out;
	}
	ret = interpret(cfg, name, err);
out:
	free(buf);
	if (ret) {
		if (ret == -ENOMEM && !err[0])
			cfg_error(err, name, 0, "out of memory");
		config_free(cfg);
	}
	return ret;
}

/* A relative kernel/initrd/socket path is relative to the .vmx file. */
static int resolve(const char *dir, char **path)
{
	char *p;

	if (!*path || (*path)[0] == '/' || !strcmp(*path, "-"))
		return 0;
	if (asprintf(&p, "%s/%s", dir, *path) < 0)
		return -ENOMEM;
	free(*path);
	*path = p;
	return 0;
}

/* The .vmx file at path as a string, in *text (the caller frees it). */
static int config_read(const char *path, char **text, char *err)
{
	size_t n;
	FILE *f;
	int ret;

	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		cfg_error(err, path, 0, "%s", strerror(-ret));
		return ret;
	}
	*text = malloc(CONFIG_FILE_MAX + 1);
	if (!*text) {
		fclose(f);
		cfg_error(err, path, 0, "out of memory");
		return -ENOMEM;
	}
	n = fread(*text, 1, CONFIG_FILE_MAX + 1, f);
	fclose(f);
	ret = 0;
	if (n > CONFIG_FILE_MAX)
		ret = cfg_error(err, path, 0, "larger than %d bytes", CONFIG_FILE_MAX);
	else if (memchr(*text, '\0', n))
		ret = cfg_error(err, path, 0, "not a text file (NUL byte)");
	if (ret) {
		free(*text);
		return ret;
	}
	(*text)[n] = '\0';
	return 0;
}

int config_load(struct vmx_config *cfg, const char *path, char *err)
{
	char *text, *dir, *slash, *abs;
	unsigned int i;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = config_read(path, &text, err);
	if (ret)
		return ret;
	ret = config_parse(cfg, path, text, err);
	free(text);
	if (ret)
		return ret;

	dir = strdup(path);
	if (!dir) {
		config_free(cfg);
		return -ENOMEM;
	}
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	if (slash == dir)
		strcpy(dir, "/");
	/* Generated MACs hash the absolute path, wherever vmx runs from. */
	abs = realpath(path, NULL);
	for (i = 0; abs && i < CONFIG_NICS_MAX; i++)
		if (cfg->nics[i].mac_generated)
			config_generated_mac(abs, i, cfg->nics[i].mac);
	free(abs);
	ret = resolve(dir, &cfg->kernel);
	if (!ret)
		ret = resolve(dir, &cfg->initrd);
	if (!ret && cfg->serial != SERIAL_STDIO)
		ret = resolve(dir, &cfg->serial_path);
	for (i = 0; !ret && i < CONFIG_SCSI_ADAPTERS * CONFIG_SCSI_TARGETS; i++)
		ret = resolve(dir, &cfg->scsi[i / CONFIG_SCSI_TARGETS].disk[i % CONFIG_SCSI_TARGETS].file);
	free(dir);
	if (ret)
		config_free(cfg);
	return ret;
}

/* value as a .vmx value: quotes, '|' and control characters as |XX. */
static void config_quote(FILE *out, const char *value)
{
	const unsigned char *v = (const unsigned char *)value;

	fputc('"', out);
	for (; *v; v++) {
		if (*v == '"' || *v == '|' || *v < 0x20 || *v == 0x7f)
			fprintf(out, "|%02X", *v);
		else
			fputc(*v, out);
	}
	fputc('"', out);
}

/* text with key's line (the first, if several) set to value, or with the
 * key added at the end; every other line as it was. */
static void config_rewrite(FILE *out, char *text, const char *key, const char *value)
{
	char *line, *next = text, *copy, *k, *v;
	const char *why;
	bool done = false;

	for (line = text; *line; line = next) {
		next = strchrnul(line, '\n');
		next += *next == '\n';
		copy = strndup(line, next - line);
		if (!done && copy && parse_line(copy, &k, &v, &why) == 1 &&
		    !strcasecmp(k, key)) {
			fprintf(out, "%s = ", key);
			config_quote(out, value);
			fputc('\n', out);
			done = true;
		} else {
			fwrite(line, 1, next - line, out);
		}
		free(copy);
	}
	if (!done) {
		if (next > text && next[-1] != '\n')
			fputc('\n', out);
		fprintf(out, "%s = ", key);
		config_quote(out, value);
		fputc('\n', out);
	}
}

int config_update(const char *path, const char *key, const char *value, char *err)
{
	char *text, *tmp;
	struct stat st;
	FILE *out;
	int fd, ret;

	ret = config_read(path, &text, err);
	if (ret)
		return ret;
	if (stat(path, &st) || asprintf(&tmp, "%s.tmp%d", path, (int)getpid()) < 0) {
		free(text);
		return cfg_error(err, path, 0, "%s", strerror(errno));
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
	out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (out) {
		config_rewrite(out, text, key, value);
		ret = fflush(out) || ferror(out) || fsync(fd) ? -errno : 0;
		fclose(out);
	} else {
		ret = -errno;
		if (fd >= 0)
			close(fd);
	}
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		cfg_error(err, path, 0, "cannot rewrite it: %s", strerror(-ret));
		unlink(tmp);
	}
	free(tmp);
	free(text);
	return ret;
}

void config_free(struct vmx_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nr_entries; i++) {
		free(cfg->entries[i].key);
		free(cfg->entries[i].value);
	}
	free(cfg->entries);
	free(cfg->path);
	free(cfg->display_name);
	free(cfg->guest_os);
	free(cfg->kernel);
	free(cfg->initrd);
	free(cfg->cmdline);
	free(cfg->serial_path);
	for (i = 0; i < CONFIG_SCSI_ADAPTERS * CONFIG_SCSI_TARGETS; i++)
		free(cfg->scsi[i / CONFIG_SCSI_TARGETS].disk[i % CONFIG_SCSI_TARGETS].file);
	memset(cfg, 0, sizeof(*cfg));
}
