/*
 * priv.h - messages between the network process and the privileged
 * process that calls PAM.
 *
 * The two processes share a SOCK_SEQPACKET socketpair; each message is
 * one fixed-size struct starting with its type.  The privileged side
 * trusts nothing it receives: the size must match the type exactly and
 * every string must be NUL-terminated and valid.  It answers each request
 * with a reply carrying the same id.
 *
 * On failure the privileged side does not sleep: PAM's requested fail
 * delay (collected through the PAM_FAIL_DELAY item) goes back in the
 * reply and the network side holds the client's answer that long,
 * without blocking anyone else.
 */
#ifndef VMAUTHD_PRIV_H
#define VMAUTHD_PRIV_H

#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "proto.h"

#define PRIV_ADDR_MAX	64

enum priv_type {
	PRIV_AUTH_REQ = 1,
	PRIV_AUTH_REP,
	PRIV_TYPE_MAX
};

enum priv_result {
	PRIV_OK = 0,
	PRIV_DENIED,		/* wrong password, unknown user */
	PRIV_EXPIRED,		/* account expired, locked or must change */
	PRIV_LOCKED,		/* lockout by user or address */
	PRIV_ERROR		/* PAM or system failure */
};

struct priv_auth_req {
	uint32_t	 type;
	uint32_t	 id;
	char		 user[PROTO_USER_MAX + 1];
	char		 addr[PRIV_ADDR_MAX];
	char		 pass[PROTO_PASS_MAX + 1];
};

struct priv_auth_rep {
	uint32_t	 type;
	uint32_t	 id;
	int32_t		 result;
	uint32_t	 delay_ms;	/* what PAM asked for on failure */
};

int		 priv_main(int fd, const struct vmauthd_conf *conf,
		    pid_t netpid);
const char	*priv_result_name(int result);

#endif
