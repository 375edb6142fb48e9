/* One DNS query, over UDP or TCP, and its answer printed for tests of the responder
 * (busybox nslookup knows neither TCP nor the header's flags):
 *
 *   dns_query [--tcp] [--port N] [--type TYPE] [--edns SIZE] SERVER NAME
 *
 * prints "rcode NAME", "flags qr aa tc rd ra" (those set), "id N", then one line per
 * answer record in ldns's presentation form ("web.\t60\tIN\tA\t10.89.0.2").  Exit 0 when
 * an answer came (whatever its rcode), 1 on a timeout (3 s) or an error. */
#include <arpa/inet.h>
#include <getopt.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int io_full(int fd, void *buf, size_t len, bool writing)
{
	size_t done = 0;

	while (done < len) {
		struct pollfd p = { fd, writing ? POLLOUT : POLLIN, 0 };
		ssize_t n;
		if (poll(&p, 1, 3000) <= 0)
			return -1;
		n = writing ? write(fd, (uint8_t *)buf + done, len - done) : read(fd, (uint8_t *)buf + done, len - done);
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "tcp", no_argument, NULL, 't' },
					      { "port", required_argument, NULL, 'p' },
					      { "type", required_argument, NULL, 'T' },
					      { "edns", required_argument, NULL, 'e' },
					      { NULL, 0, NULL, 0 } };
	ldns_rr_type type = LDNS_RR_TYPE_A;
	int port = 53, edns = 0, c, fd;
	bool tcp = false;
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	ldns_pkt *q, *a = NULL;
	uint8_t *wire, buf[65536 + 2];
	size_t wlen;
	ssize_t n;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			tcp = true;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'T':
			if (!(type = ldns_get_rr_type_by_name(optarg))) {
				fprintf(stderr, "dns_query: unknown type %s\n", optarg);
				return 1;
			}
			break;
		case 'e':
			edns = atoi(optarg);
			break;
		default:
			return 1;
		}
	}
	if (optind != argc - 2) {
		fprintf(stderr, "usage: dns_query [--tcp] [--port N] [--type TYPE] [--edns SIZE] SERVER NAME\n");
		return 1;
	}
	if (inet_pton(AF_INET, argv[optind], &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, argv[optind], &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in6);
	} else {
		fprintf(stderr, "dns_query: bad server address %s\n", argv[optind]);
		return 1;
	}
	q = ldns_pkt_query_new(ldns_dname_new_frm_str(argv[optind + 1]), type, LDNS_RR_CLASS_IN, LDNS_RD);
	if (!q)
		return 1;
	ldns_pkt_set_random_id(q);
	if (edns)
		ldns_pkt_set_edns_udp_size(q, (uint16_t)edns);
	if (ldns_pkt2wire(&wire, q, &wlen) != LDNS_STATUS_OK)
		return 1;
	fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		perror("dns_query: connect");
		return 1;
	}
	if (tcp) {
		uint8_t len[2] = { (uint8_t)(wlen >> 8), (uint8_t)wlen };
		if (io_full(fd, len, 2, true) < 0 || io_full(fd, wire, wlen, true) < 0 || io_full(fd, buf, 2, false) < 0 ||
		    io_full(fd, buf + 2, (size_t)(buf[0] << 8 | buf[1]), false) < 0) {
			fprintf(stderr, "dns_query: no answer over TCP\n");
			return 1;
		}
		n = buf[0] << 8 | buf[1];
	} else {
		struct pollfd p = { fd, POLLIN, 0 };
		if (write(fd, wire, wlen) != (ssize_t)wlen || poll(&p, 1, 3000) <= 0 ||
		    (n = read(fd, buf + 2, sizeof(buf) - 2)) < 0) {
			fprintf(stderr, "dns_query: no answer\n");
			return 1;
		}
	}
	if (ldns_wire2pkt(&a, buf + 2, (size_t)n) != LDNS_STATUS_OK) {
		fprintf(stderr, "dns_query: the answer does not parse\n");
		return 1;
	}
	{
		char *rc = ldns_pkt_rcode2str(ldns_pkt_get_rcode(a));
		printf("rcode %s\n", rc);
		free(rc);
	}
	printf("flags%s%s%s%s%s\n", ldns_pkt_qr(a) ? " qr" : "", ldns_pkt_aa(a) ? " aa" : "", ldns_pkt_tc(a) ? " tc" : "",
	       ldns_pkt_rd(a) ? " rd" : "", ldns_pkt_ra(a) ? " ra" : "");
	printf("id %s\n", ldns_pkt_id(a) == ldns_pkt_id(q) ? "matches" : "DIFFERS");
	printf("size %zd\n", n);
	for (size_t i = 0; i < ldns_pkt_ancount(a); i++) {
		char *s = ldns_rr2str(ldns_rr_list_rr(ldns_pkt_answer(a), i));
		printf("%s", s);
		free(s);
	}
	ldns_pkt_free(a);
	ldns_pkt_free(q);
	free(wire);
	close(fd);
	return 0;
}
