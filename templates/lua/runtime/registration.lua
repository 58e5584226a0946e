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
    -- The first word is what tshark's -o takes (msturn.data_mode:raw); Wireshark also matches the description.
    { "auto", "Automatic: STUN, SRTP, SRTCP", DATA_AUTO },
    { "wireshark", "Wireshark RTP/RTCP dissectors", DATA_WIRESHARK },
    { "raw", "Raw bytes", DATA_RAW },
  }, false)

local udp_table = DissectorTable.get("udp.port")
local tcp_table = DissectorTable.get("tcp.port")
local previous_tcp = {}   -- port -> dissector that owned it before us (TLS on 443), given back when the port goes
-- Ports the preferences put in a table (port -> true), and ports of the preferences that Decode As has given to
-- another dissector, or to MS-TURN itself: the user's choice, never taken back while the port stays in the preference.
local owned = { udp = {}, tcp = {} }
local released = { udp = {}, tcp = {} }
-- Until the preferences are first applied, the default ports hold a stand-in handle, the late pass's (it never runs
-- before a file is read). tshark applies -d before the preferences, so a Decode As made before then replaces the
-- stand-in, to MS-TURN or to another dissector, and shows as the user's, whatever the preferences then say.
local STAND_IN = proto_late
local standing = { udp = {}, tcp = {} }
local applied = false

-- The ports of one or more range preferences, as a set.
local function port_set(...)
  local set = {}
  for _, range in ipairs({ ... }) do
    for part in string.gmatch(tostring(range), "[^,%s]+") do
      local a, b = string.match(part, "^(%d+)%-(%d+)$")
      if a then
        for p = tonumber(a), math.min(tonumber(b), 65535) do set[p] = true end
      elseif string.match(part, "^%d+$") then
        set[tonumber(part)] = true
      end
    end
  end
  return set
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

-- Whether the table sends port p to the handle of this name: Lua gets a new object for the same handle each time.
local function sends_to(tbl, p, name)
  local d = tbl:get_dissector(p)
  return d ~= nil and tostring(d) == name
end

-- Brings one port table in line with the preferences, touching only the ports whose preference changed, so a Decode
-- As on any other port stays. A port that leaves goes back to the dissector it had.
local function sync_table(kind, tbl, handle, wanted, previous)
  local mine, gone = owned[kind], released[kind]
  for p in pairs(standing[kind]) do
    if sends_to(tbl, p, STAND_IN.name) then
      tbl:remove(p, STAND_IN)
      if previous[p] then tbl:add(p, previous[p]) end
    else
      gone[p] = true
    end
    previous[p] = nil
  end
  standing[kind] = {}
  for p in pairs(mine) do
    if not sends_to(tbl, p, handle.name) then
      mine[p], previous[p], gone[p] = nil, nil, true
    elseif not wanted[p] then
      tbl:remove(p, handle)
      if previous[p] then tbl:add(p, previous[p]) end
      mine[p], previous[p] = nil, nil
    end
  end
  for p in pairs(gone) do
    if not wanted[p] then gone[p] = nil end
  end
  for p in pairs(wanted) do
    if not mine[p] and not gone[p] and not sends_to(tbl, p, handle.name) then
      previous[p] = tbl:get_dissector(p)
      tbl:add(p, handle)
      mine[p] = true
    end
  end
end

local function apply_ports()
  applied = true
  sync_table("udp", udp_table, proto, port_set(proto.prefs.udp_ports, proto.prefs.mux_ports), previous_udp)
  sync_table("tcp", tcp_table, proto_tcp, port_set(proto.prefs.tcp_ports), previous_tcp)
end

local function stand_in(kind, tbl, ports, previous)
  for p in pairs(ports) do
    previous[p] = tbl:get_dissector(p)
    tbl:add(p, STAND_IN)
    standing[kind][p] = true
  end
end

function proto.prefs_changed()
  prefs_state.heur_udp = proto.prefs.heur_udp
  prefs_state.heur_tcp = proto.prefs.heur_tcp
  prefs_state.rfc_to_builtin = proto.prefs.rfc_to_builtin
  prefs_state.data_mode = proto.prefs.data_mode
  prefs_state.late_segments = proto.prefs.late_segments
  apply_ports()
end

function proto.init()
  if not applied then apply_ports() end
  transactions = {}
  mux_sessions = {}
  raw_media = {}
  raw_media_first = {}
  raw_media_ports = {}
  mux_flows = {}
  mux_flow_ports = {}
  tcp_streams = {}
  tcp_frames_seen = {}
  tcp_stream_ports = {}
  srtcp_layouts = {}
end


stand_in("udp", udp_table, port_set(DEFAULT_UDP_PORTS, DEFAULT_MUX_PORTS), previous_udp)
stand_in("tcp", tcp_table, port_set(DEFAULT_TCP_PORTS), previous_tcp)
udp_table:add_for_decode_as(proto)
tcp_table:add_for_decode_as(proto_tcp)
proto:register_heuristic("udp", heur_udp)
-- Registered by the main protocol so the heuristic is named msturn_tcp (msturn_tcp_tcp otherwise).
proto:register_heuristic("tcp", heur_tcp)
