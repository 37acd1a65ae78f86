-- mapping.lua - EgressMap chooses the egress by sender domain; DomainBl
-- lists a sender domain; two From fields are a finding.
dofile(lib)

local conn = open()
message(conn, { from = "<alice@pass.spf.test>", headers = { { "From", "alice@example.test" } } })
check(mt.eom_check(conn, MT_HDRADD, "X-Egress-Route", " main"),
    "EgressMap sends pass.spf.test through the listed egress, so it is rerouted to main")
message(conn, { from = "<bob@neutral.spf.test>", headers = { { "From", "bob@example.test" } } })
check(mt.getreply(conn) == SMFIR_ACCEPT and not mt.eom_check(conn, MT_HDRADD, "X-Egress-Route"),
    "a sender domain not in the map leaves from the first egress, accepted as it is")
message(conn, { from = "<carol@softfail.spf.test>", headers = { { "From", "carol@example.test" } } })
check(mt.eom_check(conn, MT_QUARANTINE), "a sender domain on the domain blocklist: held (On domain-listed quarantine)")
message(conn, { from = "<dave@neutral.spf.test>",
    headers = { { "From", "dave@example.test" }, { "From", "eve@example.test" } } })
check(mt.getreply(conn) == SMFIR_ACCEPT, "two From fields (from-invalid, tag): accepted")
mt.disconnect(conn)
finish()
