/*
 * conf_ops.c - the configuration keys of the operations interfaces:
 * ControlSocket (the --status socket, control.c) and MetricsListen
 * (the Prometheus endpoint, metrics.c).
 *
 * key_control_socket(), key_metrics_listen(), conf_split_listen().
 * ControlSocket takes unix:/ABSOLUTE/PATH or "none"; MetricsListen takes
 * ADDRESS:PORT with a literal address (IPv6 in brackets) or "none": no
 * name is ever resolved to find where to listen.
 * Must not: read files, touch libmilter or the network.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "conf/conf_parse.h"
#include "util/util.h"

void
key_control_socket(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues)
{
	struct sockaddr_un sun;
	const char *v = values[0];

	(void)key; (void)nvalues;
	free(parse->conf->control_socket);
	parse->conf->control_socket = NULL;
	if (strcasecmp(v, "none") == 0)
		return;
	if (strncmp(v, "unix:/", 6) != 0) {
		conf_error(parse, "ControlSocket: expected unix:/PATH (an "
		    "absolute path) or none");
		return;
	}
	if (strlen(v + 5) >= sizeof(sun.sun_path)) {
		conf_error(parse, "ControlSocket: the path is longer than %zu "
		    "bytes", sizeof(sun.sun_path) - 1);
		return;
	}
	parse->conf->control_socket = xstrdup(v);
}

int
conf_split_listen(const char *text, char *addr, size_t size, long *port)
{
	const char *colon;
	char *end;
	size_t len;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		len = (size_t)(close - text - 1);
		text++;
		colon = close + 1;
	} else {
		if ((colon = strrchr(text, ':')) == NULL)
			return -1;
		len = (size_t)(colon - text);
	}
	if (len == 0 || len >= size)
		return -1;
	memcpy(addr, text, len);
	addr[len] = '\0';
	if (!isdigit((unsigned char)colon[1]))
		return -1;
	*port = strtol(colon + 1, &end, 10);
	return *end != '\0' || *port < 1 || *port > 65535 ? -1 : 0;
}

void
key_metrics_listen(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues)
{
	char addr[INET6_ADDRSTRLEN], buf[sizeof(struct in6_addr)];
	long port;

	(void)key; (void)nvalues;
	free(parse->conf->metrics_listen);
	parse->conf->metrics_listen = NULL;
	if (strcasecmp(values[0], "none") == 0)
		return;
	if (conf_split_listen(values[0], addr, sizeof(addr), &port) != 0 ||
	    (inet_pton(AF_INET, addr, buf) != 1 &&
	    inet_pton(AF_INET6, addr, buf) != 1)) {
		conf_error(parse, "MetricsListen: expected ADDRESS:PORT with "
		    "a literal address, such as 127.0.0.1:9155 or [::1]:9155, "
		    "or none");
		return;
	}
	parse->conf->metrics_listen = xstrdup(values[0]);
}
