-- budget.lua - two messages whose senders' DNS does not answer: each is
-- decided (accepted, the DNS-failure policy) within MessageDNSBudget;
-- dns-budget.sh reads the time each took from the milter's log.
dofile(lib)

local conn = open()
for _, from in ipairs({ "<alice@pass.spf.test>", "<bob@fail.spf.test>" }) do
	message(conn, { from = from, headers = { { "From", "alice@dmarc.test" } } })
	check(mt.getreply(conn) == SMFIR_ACCEPT,
	    "DNS of " .. from .. " dead: the message is accepted")
end
mt.disconnect(conn)
finish()
