/*
 * fuzz_dns.c - the conversion of a DNS answer into the project's
 * dns_answer (read_reply() and read_records() in resolver.c, which this
 * file includes to reach them): any bytes as a DNS message, answering
 * its own first question (or example.test TXT when it has none).
 */
#include "dns/resolver.c"

#include "fuzz.h"
#include "dns/dns.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ldns_pkt *pkt = NULL;
	ldns_rdf *name = NULL, *chase = NULL;
	struct dns_answer *answer;
	uint16_t type = LDNS_RR_TYPE_TXT;
	ldns_rr_list *q;

	if (ldns_wire2pkt(&pkt, data, size) != LDNS_STATUS_OK)
		return 0;
	q = ldns_pkt_question(pkt);
	if (ldns_rr_list_rr_count(q) > 0) {
		name = ldns_rdf_clone(ldns_rr_owner(ldns_rr_list_rr(q, 0)));
		type = (uint16_t)ldns_rr_get_type(ldns_rr_list_rr(q, 0));
	} else {
		name = ldns_dname_new_frm_str("example.test.");
	}
	answer = dns_answer_new(type, DNS_TIMEOUT);
	if (name != NULL) {
		read_reply(pkt, name, answer, &chase);
		reply_matches(pkt, pkt, answer->error, sizeof(answer->error));
	}
	for (size_t i = 0; i < answer->count; i++)
		if (answer->records[i] == NULL || strlen(answer->records[i]) >
		    65535 * 2)
			abort();
	dns_answer_free(answer);
	ldns_rdf_deep_free(chase);
	ldns_rdf_deep_free(name);
	ldns_pkt_free(pkt);
	return 0;
}
