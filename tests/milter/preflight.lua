-- preflight.lua - messages that break the receivers' published rules,
-- one per rule (tests/milter/preflight.sh checks the log lines); every
-- one is accepted by default. WEAKSIG is a DKIM-Signature value made
-- with the 512-bit key of weak._domainkey.dkim.test for the "weak"
-- message below.
dofile(lib)
local conn = open()
local function send(from, headers, body)
	message(conn, { from = from, headers = headers, body = body })
	check(mt.getreply(conn) == SMFIR_ACCEPT, from .. ": accepted by default")
end
-- SPF passes and is aligned (strict.dmarc.test, p=none): only unsigned.
send("<a@strict.dmarc.test>", { { "From", "a@strict.dmarc.test" },
    { "Message-ID", "<1@strict.dmarc.test>" }, { "Subject", "clean" } })
-- Two From fields, two Subjects, no Message-ID.
send("<b@strict.dmarc.test>", { { "From", "b@strict.dmarc.test" },
    { "From", "c@strict.dmarc.test" }, { "Subject", "one" }, { "Subject", "two" } })
-- An invalid Message-ID and two addresses in From.
send("<d@strict.dmarc.test>", { { "From", "d@strict.dmarc.test, e@strict.dmarc.test" },
    { "Message-ID", "no angle brackets" } })
-- No DMARC policy anywhere for example.test; SPF passes for another domain.
send("<f@pass.spf.test>", { { "From", "f@mail.example.test" },
    { "Message-ID", "<2@mail.example.test>" } })
-- Bulk without one-click unsubscribe; then with it.
send("<g@strict.dmarc.test>", { { "From", "g@strict.dmarc.test" },
    { "Message-ID", "<3@strict.dmarc.test>" }, { "List-Id", "<news.strict.dmarc.test>" },
    { "List-Unsubscribe", "<mailto:u@strict.dmarc.test>" } })
send("<h@strict.dmarc.test>", { { "From", "h@strict.dmarc.test" },
    { "Message-ID", "<4@strict.dmarc.test>" }, { "Precedence", "bulk" },
    { "List-Unsubscribe", "<https://strict.dmarc.test/u?h>, <mailto:u@strict.dmarc.test>" },
    { "List-Unsubscribe-Post", "List-Unsubscribe=One-Click" } })
-- Signed with a 512-bit key.
send("<w@strict.dmarc.test>", { { "DKIM-Signature", weaksig }, { "From", "w@dkim.test" },
    { "Subject", "weak" }, { "Message-ID", "<w@dkim.test>" } }, "Hello.\r\n")
mt.disconnect(conn)
finish()
