-- Runtime registration and preferences (templates/lua/runtime/registration.lua): plain Lua, copied last.

-- Registration and preferences ------------------------------------------------------------------

proto.prefs.udp_ports = Pref.range("UDP ports", DEFAULT_UDP_PORTS,
  "UDP ports decoded as MS-TURN (replaces the built-in STUN dissector there)", 65535)
proto.prefs.mux_ports = Pref.range("Multiplexed relay ports", DEFAULT_MUX_PORTS,
  "UDP ports of 0xFF10 multiplexed relay frames", 65535)
proto.prefs.tcp_ports = Pref.range("TCP ports (pseudo-TLS)", DEFAULT_TCP_PORTS,
  "TCP ports where MS-TURN hides behind a pseudo-TLS hello; other streams go on to the dissector registered " ..
  "there before",
  65535)
proto.prefs.heur_udp = Pref.bool("Heuristic on UDP", true, "Find MS-TURN (MAGIC-COOKIE first) on any UDP port")
proto.prefs.heur_tcp = Pref.bool("Heuristic on TCP", true, "Find MS-TURN framing on any TCP port")
proto.prefs.rfc_to_builtin = Pref.bool("RFC 5389 messages to the built-in STUN dissector", true,
  "Hand ordinary STUN messages (ICE checks), on MS-TURN ports and relayed inside MS-TURN, " ..
  "to Wireshark's STUN dissector")
proto.prefs.late_segments = Pref.bool("Decode segments TCP keeps back", true,
  "Decode MS-TURN frames in out-of-order and retransmitted segments of a recognised stream (TCP shows them as data)")
proto.prefs.data_mode = Pref.enum("Decode relayed DATA as", DATA_AUTO,
  "How to show bytes relayed in DATA attributes and multiplexed frames", {
    { 1, "Automatic: STUN, SRTP, SRTCP", DATA_AUTO },
    { 2, "Wireshark RTP/RTCP dissectors", DATA_WIRESHARK },
    { 3, "Raw bytes", DATA_RAW },
  }, false)

local udp_table = DissectorTable.get("udp.port")
local tcp_table = DissectorTable.get("tcp.port")
local registered = { udp = "", mux = "", tcp = "" }
local previous_tcp = {}   -- port -> dissector that owned it before us (TLS on 443), given back when the port goes

local function ports_of(range)
  local list = {}
  for part in string.gmatch(range, "[^,%s]+") do
    local a, b = string.match(part, "^(%d+)%-(%d+)$")
    if a then
      for p = tonumber(a), math.min(tonumber(b), 65535) do list[#list + 1] = p end
    elseif string.match(part, "^%d+$") then
      list[#list + 1] = tonumber(part)
    end
  end
  return list
end

-- A TLS record header that TLS's own TCP heuristic takes (change cipher spec, handshake, application data; it
-- leaves a lone alert record, seen when a capture starts as a connection closes).
local function starts_tls_record(tvb, n)
  if n < 5 then return false end
  local ct, major, minor = tvb(0, 1):uint(), tvb(1, 1):uint(), tvb(2, 1):uint()
  return (ct == 20 or ct == 22 or ct == 23) and major == 3 and minor <= 4
end

-- What TLS refuses and TCP's heuristics take: a PROXY header (v1 text, v2 signature) or an HTTP request line.
local TEXT_STARTS = { "PROXY ", "\r\n\r\n\0\r\nQUIT\n", "GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ",
  "CONNECT ", "PATCH ", "PRI * HTTP/2" }
local function starts_text(tvb)
  local n = tvb:len()
  for _, w in ipairs(TEXT_STARTS) do
    if n >= #w and tvb(0, #w):raw() == w then return true end
  end
  return false
end

-- On the pseudo-TLS port (443) this entry sits before TLS. A stream that is not MS-TURN is refused (0) when it starts
-- with a TLS record: TCP then tries, as without this script, the heuristics (TLS's own, PROXY, HTTP…), and TLS binds
-- the conversation to itself, so its later segments never come here. Only segments no heuristic would take (a stream
-- caught mid-way) go to TLS from here, as the port would have sent them, with TLS's exceptions kept out of Lua.
function proto_tcp.dissector(tvb, pinfo, tree)
  local used = dissect_tcp_stream(tvb, pinfo, tree)
  if used > 0 then
    pinfo.conversation = proto_tcp
    return used
  end
  local prev = previous_tcp[pinfo.match_uint]
  if not prev or starts_tls_record(tvb, tvb:len()) or starts_text(tvb) then return 0 end
  -- Each dissector call lowers can_desegment by one; give it back so TLS can still reassemble.
  if pinfo.can_desegment > 0 then pinfo.can_desegment = pinfo.can_desegment + 1 end
  -- A TLS exception (a malformed record) is TLS's to show: its items stay, and the segment counts as used.
  local ok, result = pcall(prev.call, prev, tvb, pinfo, tree)
  if ok then return result end
  return tvb:len()
end

local function heur_tcp(tvb, pinfo, tree)
  if not prefs_state.heur_tcp then return false end
  return dissect_tcp_stream(tvb, pinfo, tree) > 0
end

local function register_ports()
  for _, list in ipairs({ registered.udp, registered.mux }) do
    for _, p in ipairs(ports_of(list)) do
      udp_table:remove(p, proto)
      if previous_udp[p] then udp_table:add(p, previous_udp[p]) end
      previous_udp[p] = nil
    end
  end
  for _, p in ipairs(ports_of(registered.tcp)) do
    tcp_table:remove(p, proto_tcp)
    if previous_tcp[p] then tcp_table:add(p, previous_tcp[p]) end
  end
  previous_tcp = {}
  registered.udp = tostring(proto.prefs.udp_ports)
  registered.mux = tostring(proto.prefs.mux_ports)
  registered.tcp = tostring(proto.prefs.tcp_ports)
  for _, list in ipairs({ registered.udp, registered.mux }) do
    for _, p in ipairs(ports_of(list)) do
      previous_udp[p] = previous_udp[p] or udp_table:get_dissector(p)
      udp_table:add(p, proto)
    end
  end
  for _, p in ipairs(ports_of(registered.tcp)) do
    previous_tcp[p] = tcp_table:get_dissector(p)
    tcp_table:add(p, proto_tcp)
  end
end

function proto.prefs_changed()
  prefs_state.heur_udp = proto.prefs.heur_udp
  prefs_state.heur_tcp = proto.prefs.heur_tcp
  prefs_state.rfc_to_builtin = proto.prefs.rfc_to_builtin
  prefs_state.data_mode = proto.prefs.data_mode
  prefs_state.late_segments = proto.prefs.late_segments
  if tostring(proto.prefs.udp_ports) ~= registered.udp or tostring(proto.prefs.mux_ports) ~= registered.mux
      or tostring(proto.prefs.tcp_ports) ~= registered.tcp then
    register_ports()
  end
end

function proto.init()
  transactions = {}
  mux_sessions = {}
  raw_media = {}
  raw_media_first = {}
  raw_media_seen = false
  mux_flows = {}
  mux_seen = false
  tcp_streams = {}
  tcp_frames_seen = {}
  tcp_stream_ports = {}
  srtcp_layouts = {}
end


register_ports()
udp_table:add_for_decode_as(proto)
tcp_table:add_for_decode_as(proto_tcp)
proto:register_heuristic("udp", heur_udp)
-- Registered by the main protocol so the heuristic is named msturn_tcp (msturn_tcp_tcp otherwise).
proto:register_heuristic("tcp", heur_tcp)
