/*
 * noop_milter.c - the floor of "make bench": a libmilter milter that
 * does nothing, with the flags, callbacks and negotiation egress-milter
 * has, so the MTA sends it the same stages and it answers the same
 * number of replies. Every callback continues; end-of-message accepts.
 *
 * Usage: noop_milter -p SOCKET   (inet:PORT@HOST, unix:PATH)
 * Must not: do anything but answer; it is a yardstick.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

static sfsistat
noop_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)f2; (void)f3;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE);
	if (f0 & SMFIF_SETSYMLIST) {
		*pf0 |= SMFIF_SETSYMLIST;
		smfi_setsymlist(ctx, SMFIM_ENVFROM, "i {auth_authen}");
		smfi_setsymlist(ctx, SMFIM_ENVRCPT, "{rcpt_mailer} {rcpt_host}");
		smfi_setsymlist(ctx, SMFIM_EOM, "i");
	}
	*pf1 |= f1 & (SMFIP_NOUNKNOWN | SMFIP_NODATA);
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat
noop_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	(void)ctx; (void)host; (void)addr;
	return SMFIS_CONTINUE;
}

static sfsistat
noop_one(SMFICTX *ctx, char *arg)
{
	(void)ctx; (void)arg;
	return SMFIS_CONTINUE;
}

static sfsistat
noop_argv(SMFICTX *ctx, char **argv)
{
	(void)ctx; (void)argv;
	return SMFIS_CONTINUE;
}

static sfsistat
noop_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx; (void)name; (void)value;
	return SMFIS_CONTINUE;
}

static sfsistat
noop_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	(void)ctx; (void)chunk; (void)len;
	return SMFIS_CONTINUE;
}

static sfsistat
noop_continue(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat
noop_eom(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_ACCEPT;
}

int
main(int argc, char **argv)
{
	struct smfiDesc desc = {
		.xxfi_name = "noop-milter",
		.xxfi_version = SMFI_VERSION,
		.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE |
		    SMFIF_SETSYMLIST,
		.xxfi_connect = noop_connect,
		.xxfi_helo = noop_one,
		.xxfi_envfrom = noop_argv,
		.xxfi_envrcpt = noop_argv,
		.xxfi_header = noop_header,
		.xxfi_eoh = noop_continue,
		.xxfi_body = noop_body,
		.xxfi_eom = noop_eom,
		.xxfi_abort = noop_continue,
		.xxfi_close = noop_continue,
		.xxfi_negotiate = noop_negotiate,
	};
	const char *socket = NULL;
	int ch;

	while ((ch = getopt(argc, argv, "p:")) != -1)
		if (ch == 'p')
			socket = optarg;
	if (socket == NULL) {
		fprintf(stderr, "usage: noop_milter -p SOCKET\n");
		return 2;
	}
	if (smfi_setconn((char *)socket) != MI_SUCCESS ||
	    smfi_register(desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "noop_milter: cannot listen on %s\n", socket);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
