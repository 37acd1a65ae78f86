/*
 * test_from.c - From header fields as mail carries them: display names,
 * comments, quoted strings, encoded words, groups, several mailboxes,
 * none, and garbage.
 */
#include "config.h"

#include "auth/from.h"
#include "unit.h"

static void
expect(const char *value, int mailboxes, const char *domain)
{
	static struct from_scan scan;
	struct from_result r;
	char label[300];

	from_parse(value, &r, &scan);
	snprintf(label, sizeof(label), "From: %.200s -> %d mailbox(es)%s%s",
	    value, mailboxes, domain ? ", " : "", domain ? domain : "");
	CHECK(r.mailboxes == mailboxes && (domain == NULL ||
	    strcmp(r.domain, domain) == 0), label);
}

int
main(void)
{
	char big[5000];

	expect("alice@example.test", 1, "example.test");
	expect("Alice <alice@Example.TEST>", 1, "example.test");
	expect("\"Smith, Alice\" <alice@example.test>", 1, "example.test");
	expect("\"a@evil.test\" <alice@example.test>", 1, "example.test");
	expect("alice@example.test (Alice, of \\(Example\\))", 1,
	    "example.test");
	expect("(comment <x@evil.test>) Alice <alice@example.test>", 1,
	    "example.test");
	expect("=?utf-8?q?J=C3=BCrgen?= <juergen@example.test>", 1,
	    "example.test");
	expect("\"odd@local\"@example.test", 1, "example.test");
	expect("team: alice@example.test, bob@example.net;", 2,
	    "example.test");
	expect("undisclosed-recipients:;", 0, NULL);
	expect("alice@example.test, bob@example.net", 2, "example.test");
	expect("", 0, NULL);
	expect("Alice", -1, NULL);
	expect("Alice <alice@example.test", -1, NULL);
	expect("alice@", -1, NULL);
	expect("alice@exa<mple.test", -1, NULL);
	expect("Alice (unclosed <alice@example.test>", -1, NULL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect(big, -1, NULL);
	return unit_exit();
}
