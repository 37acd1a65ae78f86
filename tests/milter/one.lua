-- one.lua - sends one message from the sender -D from=... and checks
-- the reply: -D expect=accept (SMFIR_ACCEPT) or expect=reply (a reply
-- code, as a 451 or 550 set with smfi_setreply comes back) or
-- expect=hold (quarantined with the reason -D reason=...).
dofile(lib)

local conn = open()
message(conn, { from = "<" .. from .. ">", headers = { { "From", from } } })
local reply = mt.getreply(conn)
if expect == "hold" then
	check(mt.eom_check(conn, MT_QUARANTINE, reason), "the message from " .. from ..
	    " is held with the reason \"" .. reason .. "\"")
elseif expect == "accept" then
	check(reply == SMFIR_ACCEPT, "the message from " .. from .. " is accepted")
else
	check(reply == SMFIR_REPLYCODE, "the message from " .. from .. " gets a reply code")
end
mt.disconnect(conn)
finish()
