-- actions.lua - one healthy egress (192.0.2.10); the message's own
-- checks decide: accept, tag with a report header, quarantine, reject,
-- tempfail (DMARC), and the null sender.
dofile(lib)

local conn = open()
message(conn, { from = "<alice@pass.spf.test>",
    headers = { { "From", "Alice <alice@spf.test>" } } })
check(mt.getreply(conn) == SMFIR_ACCEPT, "clean message: accepted")
check(mt.eom_check(conn, MT_HDRADD, "X-Egress-Report", " action=accept; egress=primary; findings=-"),
    "ReportHeader yes: the report says accept, no findings")
check(not mt.eom_check(conn, MT_QUARANTINE), "clean message: not held")

-- From in example.test, which publishes no DMARC: SPF alone decides.
message(conn, { from = "<alice@softfail.spf.test>",
    headers = { { "From", "alice@example.test" } } })
check(mt.eom_check(conn, MT_QUARANTINE), "SPF softfail with On spf-softfail quarantine: held")

message(conn, { from = "<alice@fail.spf.test>",
    headers = { { "From", "alice@example.test" } } })
check(mt.getreply(conn) == SMFIR_REPLYCODE, "SPF fail with On spf-fail reject: refused with a reply code")

message(conn, { from = "<alice@pass.spf.test>",
    headers = { { "From", "The Boss <boss@dmarc.test>" } } })
check(mt.getreply(conn) == SMFIR_REPLYCODE, "DMARC p=reject not aligned, On dmarc-fail tempfail: refused with a reply code")

message(conn, { from = "<alice@pass.spf.test>", headers = { { "Subject", "no From" } } })
check(mt.getreply(conn) == SMFIR_ACCEPT, "no From field (from-invalid, tag): accepted")
check(mt.eom_check(conn, MT_HDRADD, "X-Egress-Report", " action=tag; egress=primary; findings=from-invalid"),
    "the report names from-invalid")

message(conn, { from = "<alice@pass.spf.test>",
    headers = { { "DKIM-Signature", "v=1; a=rsa-sha256; c=relaxed/simple; d=dkim.test; s=sel; h=from; bh=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=; b=AAAA" },
                { "From", "alice@spf.test" } } })
check(mt.eom_check(conn, MT_HDRADD, "X-Egress-Report", " action=tag; egress=primary; findings=dkim-fail"),
    "a DKIM signature that does not verify: dkim-fail, tagged")

message(conn, { from = "<>", headers = { { "From", "MAILER-DAEMON@mail.example.test" } } })
check(mt.getreply(conn) == SMFIR_ACCEPT, "the null sender (SPF of the HELO name): accepted")
mt.disconnect(conn)
finish()
