-- Runtime transports (templates/lua/runtime/transport.lua): plain Lua, copied after the engine.

-- Transports: UDP datagrams, multiplexed 0xFF10 frames, raw media, and TCP framing ---------------

-- show: someone sees the tree (Wireshark's own test); without it, item texts are not made, as Wireshark drops them.
local function new_ctx(udp, tree)
  return { depth = 0, inner = {}, text = {}, udp = udp, show = tree.visible }
end

-- Sets the protocol and Info columns once the packet is decoded, over whatever a dissector handed relayed bytes
-- wrote: the packet is the relay's message; what it carried is listed in brackets.
local function finish_info(pinfo, ctx)
  local cols = pinfo.cols
  cols.protocol = PROTOCOL_COLUMN
  local t, inner = ctx.text, ctx.inner
  if #inner == 1 then
    t[#t + 1] = " [" .. inner[1] .. "]"
  elseif #inner > 1 then
    local seen, list = {}, {}
    for _, k in ipairs(inner) do
      if not seen[k] then seen[k] = true list[#list + 1] = k end
    end
    t[#t + 1] = " [" .. table.concat(list, ", ") .. "]"
  end
  if #t > 0 then cols.info = table.concat(t) end
end

-- h: the datagram's first bytes, as udp_head reads them.
local function is_mux_frame(h, n)
  return MUX_CHANNEL ~= nil and n >= 4 + MUX_SESSION_LEN and u16(h, 1) == MUX_CHANNEL
end

-- A datagram's first bytes, read once for every test below (flavour, 0xFF10 frame, RTP version bits).
local function udp_head(tvb, n)
  if n == 0 then return "" end
  return tvb_raw(tvb, 0, n < 28 and n or 28)
end

local function dissect_mux(tvb, pinfo, tree)
  local n = tvb_len(tvb)
  local ctx = new_ctx(true, tree)
  local h = tvb_raw(tvb, 0, 4 + MUX_SESSION_LEN)
  local declared = u16(h, 3)
  local t = item_add(tree, proto, tvb())
  if ctx.show then item_append(t, ": Multiplexed TURN frame") end
  local mt = item_add(t, F["mux"], tvb(0, 4 + MUX_SESSION_LEN))
  item_add(mt, F["mux.channel"], tvb(0, 2))
  item_add(mt, F["mux.length"], tvb(2, 2))
  item_add(mt, F["mux.session_id"], tvb(4, MUX_SESSION_LEN))
  local id = h:sub(5)
  if mux_sessions[id] then set_generated(item_add(mt, F["mux.session_in"], mux_sessions[id])) end
  if not pinfo.visited then
    local sport, dport, number = pinfo.src_port, pinfo.dst_port, pinfo.number
    local key = conv_key(pinfo, sport, dport)
    if not mux_flows[key] or number < mux_flows[key] then mux_flows[key] = number end
    mux_flow_ports[port_pair(pinfo, sport, dport)] = true
  end
  local body = n - 4
  if declared ~= body then
    mt:add_proto_expert_info(E.mux, string.format("length field %d, datagram holds %d", declared, body))
    if declared < body then body = declared end
  end
  add_info(ctx, "Multiplexed TURN frame")
  local plen = body - MUX_SESSION_LEN
  if plen > 0 then dissect_payload(tvb(4 + MUX_SESSION_LEN, plen):tvb(), pinfo, t, ctx) end
  finish_info(pinfo, ctx)
  return n
end

-- Bare payloads on a flow a relay already set up: after Set Active Destination (raw media, MS-TURN 2.2.2.11), and
-- the relay's answers on a multiplexed flow, where the client sends 0xFF10 frames (MS-TURN 2.2.3). Both start with
-- RTP's version bits, on the address pair of the message that set them up, after it.
-- Returns the frame that set the flow up, the flow's key, and true for raw media (false for the relay's answers);
-- nil when the datagram is on neither kind of flow. Raw media is looked for first.
local function relayed_flow(h, pinfo, n)
  if n < 12 or rshift(sbyte(h, 1), 6) ~= 2 or (next(raw_media_ports) == nil and next(mux_flow_ports) == nil) then
    return nil
  end
  local sport, dport = pinfo.src_port, pinfo.dst_port
  local pair = port_pair(pinfo, sport, dport)
  if not (raw_media_ports[pair] or mux_flow_ports[pair]) then return nil end
  local key, number = conv_key(pinfo, sport, dport), pinfo.number
  local since = raw_media[key]
  if since and since < number then return since, key, true end
  since = mux_flows[key]
  if since and since < number then return since, key, false end
  return nil
end

-- label: what the tree and Info call it; since_field: the generated link to the frame that set the flow up.
local function dissect_bare(tvb, pinfo, tree, label, since_field, since, key, note)
  local ctx = new_ctx(true, tree)
  local t = item_add(tree, proto, tvb())
  if ctx.show then item_append(t, ": " .. label) end
  set_generated(item_add(t, since_field, since))
  if note then note(t, pinfo, key) end
  add_info(ctx, label)
  dissect_payload(tvb, pinfo, t, ctx)
  finish_info(pinfo, ctx)
  return tvb_len(tvb)
end

-- One note per raw-media flow, on its first packet: one per packet would bury real problems in Expert Info.
local function note_raw_media(t, pinfo, key)
  local first = raw_media_first[key]
  if not first or pinfo.number < first then
    first = pinfo.number
    raw_media_first[key] = first
  end
  if first == pinfo.number then t:add_proto_expert_info(E.raw) end
end

local function dissect_mux_answer(tvb, pinfo, tree, since, key)
  return dissect_bare(tvb, pinfo, tree, "Multiplexed relay data", F["mux.flow_since"], since, key, nil)
end

local function dissect_raw_media(tvb, pinfo, tree, since, key)
  return dissect_bare(tvb, pinfo, tree, "Raw relayed media", F["media.raw_since"], since, key, note_raw_media)
end

local function dissect_relayed(tvb, pinfo, tree, since, key, raw)
  if raw then return dissect_raw_media(tvb, pinfo, tree, since, key) end
  return dissect_mux_answer(tvb, pinfo, tree, since, key)
end

local function dissect_udp_message(tvb, pinfo, tree, fl)
  local ctx = new_ctx(true, tree)
  local used = dissect_message(tvb, 0, tvb_len(tvb), pinfo, tree, fl, ctx)
  finish_info(pinfo, ctx)
  return used
end

local function stun_would_take(tvb, n)
  if n < 4 then return false end
  local top, len = band(tvb(0, 1):uint(), 0xC0), tvb(2, 2):uint()
  if top == 0x40 then return 4 + len <= n end
  return top == 0 and n >= 20 and 20 + len == n and len % 4 == 0
end

-- Port table entry (3478 by default) and Decode As.
function proto.dissector(tvb, pinfo, tree)
  local n = tvb_len(tvb)
  local h = udp_head(tvb, n)
  local fl = flavour_in(h, n)
  if fl then
    if not fl.marker and prefs_state.rfc_to_builtin and stun_builtin then
      note_links(tvb, n, fl, pinfo)
      return stun_builtin:call(tvb, pinfo, tree)
    end
    return dissect_udp_message(tvb, pinfo, tree, fl)
  end
  if is_mux_frame(h, n) then return dissect_mux(tvb, pinfo, tree) end
  local since, key, raw = relayed_flow(h, pinfo, n)
  if since then return dissect_relayed(tvb, pinfo, tree, since, key, raw) end
  -- Not ours (TURN ChannelData on 3478, say): to the dissector this port had (STUN), as without this script; where
  -- the port had none, refused, so UDP tries its heuristics (RTCP…) as it would have.
  -- Dissector:call falls back to "data" when the callee refuses, so only what STUN takes (a whole message, or
  -- ChannelData 0x4000-0x7FFF that fits) is handed on; DTLS, RTP or RTCP on 3478 are refused here and found, as
  -- without this script, by UDP's heuristics and conversations.
  local prev = previous_udp[pinfo.match_uint]
  if prev and stun_would_take(tvb, n) then
    -- An exception inside it (a malformed RTCP in ChannelData) is that dissector's to show, as without this script.
    local ok, used = pcall(prev.call, prev, tvb, pinfo, tree)
    if ok then return used end
    return n
  end
  return 0
end

-- Heuristic: only what is certainly ours (marker attribute, an announced session, a known media flow).
local function heur_udp(tvb, pinfo, tree)
  if not prefs_state.heur_udp then return false end
  local n = tvb_len(tvb)
  local h = udp_head(tvb, n)
  if n >= 28 then
    local fl = flavour_in(h, n)
    if fl and fl.marker then
      dissect_udp_message(tvb, pinfo, tree, fl)
      return true
    end
  end
  if is_mux_frame(h, n) and mux_sessions[tvb_raw(tvb, 4, MUX_SESSION_LEN)] then
    -- Bound to this dissector so the flow's next frames come here first: STUN, which also reads 0xFF10 frames (and
    -- would bind the flow on the relay's first bare STUN answer), sees only what this dissector hands it.
    pinfo.conversation = proto
    dissect_mux(tvb, pinfo, tree)
    return true
  end
  local since, key, raw = relayed_flow(h, pinfo, n)
  if since then
    dissect_relayed(tvb, pinfo, tree, since, key, raw)
    return true
  end
  return false
end

-- TCP: pseudo-TLS hello records (MS-TURN 2.1.1), then type/reserved/length frames (2.1.4).
local function is_pseudo_tls_client_hello(tvb, n)
  -- 16 03 01 00 2d | 01 00 00 29 03 01 | random(32) | sid len 0 | suites len 2 | 00 18 | 01 00
  return n >= 50 and tvb(0, 1):uint() == 0x16 and tvb(1, 2):uint() == 0x0301 and tvb(3, 2):uint() == 0x002d
      and tvb(5, 1):uint() == 0x01 and tvb(43, 1):uint() == 0 and tvb(44, 2):uint() == 2 and tvb(46, 2):uint() == 0x0018
end

-- The pseudo-TLS record holds hello messages with TLS's layout (MS-TURN 2.1.1), but fixed: the suite is
-- TLS_DH_anon_WITH_RC4_128_MD5 and no key is ever agreed, so what follows is not encrypted. Each field is read only
-- when the message holds it.
local function dissect_pseudo_hellos(tvb, p, stop, tree)
  while p + 4 <= stop do
    local htype, hlen = tvb(p, 1):uint(), tvb(p + 1, 3):uint()
    local hend = math.min(p + 4 + hlen, stop)
    local h = tree:add(F["pseudo_tls.hs_type"], tvb(p, 1))
    h:add(F["pseudo_tls.hs_length"], tvb(p + 1, 3))
    local q = p + 4
    if (htype == 1 or htype == 2) and q + 35 <= hend then
      h:add(F["pseudo_tls.hello_version"], tvb(q, 2))
      h:add(F["pseudo_tls.random"], tvb(q + 2, 32))
      local sid = tvb(q + 34, 1):uint()
      q = q + 35
      if sid > 0 and q + sid <= hend then h:add(F["pseudo_tls.session_id"], tvb(q, sid)) end
      q = q + sid
      if htype == 1 and q + 2 <= hend then
        local slen = tvb(q, 2):uint()
        q = q + 2
        for s = q, math.min(q + slen, hend) - 2, 2 do h:add(F["pseudo_tls.cipher_suite"], tvb(s, 2)) end
        q = q + slen
        if q + 1 <= hend then
          local clen = tvb(q, 1):uint()
          for c = q + 1, math.min(q + 1 + clen, hend) - 1 do h:add(F["pseudo_tls.compression"], tvb(c, 1)) end
        end
      elseif htype == 2 and q + 3 <= hend then
        h:add(F["pseudo_tls.cipher_suite"], tvb(q, 2))
        h:add(F["pseudo_tls.compression"], tvb(q + 2, 1))
      end
    end
    p = hend
  end
end

local function is_framed_message(tvb, n)
  if n < 4 + 28 or tvb(0, 1):uint() ~= 2 or tvb(1, 1):uint() ~= 0 then return false end
  local fl = flavour_of(tvb, 4, n - 4)
  return fl ~= nil and fl.marker ~= nil
end

-- A frame continues in a later segment: ask TCP for it, or (when TCP cannot give it) say so.
local function need_more(pinfo, tree, ctx, off, need, can_desegment, tvb, n)
  if can_desegment then
    pinfo.desegment_offset = off
    pinfo.desegment_len = need
  else
    tree:add(proto, tvb(off, n - off)):append_text(": Partial frame (continues in a segment not reassembled)")
  end
  finish_info(pinfo, ctx)
  return n
end

-- can_desegment is false for segments TCP did not hand to us (out of order, retransmitted):
-- those are decoded as they stand.
local function dissect_tcp_frames(tvb, pinfo, tree, can_desegment)
  local n = tvb:len()
  local ctx = new_ctx(false, tree)
  local off = 0
  while off < n do
    local left = n - off
    local first = tvb(off, 1):uint()
    if first == 0x16 then
      if left < 5 then return need_more(pinfo, tree, ctx, off, DESEGMENT_ONE_MORE_SEGMENT, can_desegment, tvb, n) end
      local rlen = tvb(off + 3, 2):uint()
      if left < 5 + rlen then return need_more(pinfo, tree, ctx, off, 5 + rlen - left, can_desegment, tvb, n) end
      local r = tree:add(proto, tvb(off, 5 + rlen))
      r:append_text(": Pseudo-TLS record")
      local pt = r:add(F["pseudo_tls"], tvb(off, 5 + rlen))
      pt:add(F["pseudo_tls.content_type"], tvb(off, 1))
      pt:add(F["pseudo_tls.version"], tvb(off + 1, 2))
      pt:add(F["pseudo_tls.length"], tvb(off + 3, 2))
      if rlen > 0 then
        pt:add(F["pseudo_tls.handshake"], tvb(off + 5, rlen))
        dissect_pseudo_hellos(tvb, off + 5, off + 5 + rlen, pt)
      end
      add_info(ctx, "Pseudo-TLS hello")
      off = off + 5 + rlen
    elseif (first == 2 or first == 3) and (left < 2 or tvb(off + 1, 1):uint() == 0) then
      if left < 4 then return need_more(pinfo, tree, ctx, off, DESEGMENT_ONE_MORE_SEGMENT, can_desegment, tvb, n) end
      local flen = tvb(off + 2, 2):uint()
      if left < 4 + flen then return need_more(pinfo, tree, ctx, off, 4 + flen - left, can_desegment, tvb, n) end
      local ft = tree:add(F["framing"], tvb(off, 4 + flen))
      ft:append_text(": " .. (FRAME_TYPES[first] or "?") .. ", " .. flen .. " bytes")
      ft:add(F["framing.type"], tvb(off, 1))
      ft:add(F["framing.reserved"], tvb(off + 1, 1))
      ft:add(F["framing.length"], tvb(off + 2, 2))
      if flen > 0 then
        local body = tvb(off + 4, flen):tvb()
        local fl = (first == 2) and flavour_of(body, 0, flen) or nil
        if fl then
          local used = dissect_message(body, 0, flen, pinfo, tree, fl, ctx)
          if used < flen then ft:add_proto_expert_info(E.framing, "frame holds bytes after the message") end
        elseif first == 2 then
          ft:add_proto_expert_info(E.framing, "control frame without an MS-TURN message")
          ft:add(F["framing.data"], tvb(off + 4, flen))
        else
          add_info(ctx, "End-to-end data")
          local dt = tree:add(proto, tvb(off, 4 + flen))
          dt:append_text(": End-to-end data")
          dissect_payload(body, pinfo, dt, ctx)
        end
      end
      off = off + 4 + flen
    else
      local bad = tree:add(proto, tvb(off, left))
      bad:add_proto_expert_info(E.framing, string.format("unexpected byte 0x%02x where a frame should start", first))
      add_info(ctx, "Bad framing")
      off = n
    end
  end
  finish_info(pinfo, ctx)
  return n
end

local function dissect_tcp_stream(tvb, pinfo, tree)
  local n = tvb:len()
  local sid = conv_key(pinfo)
  if not tcp_streams[sid] then
    if is_pseudo_tls_client_hello(tvb, n) or is_framed_message(tvb, n) then
      tcp_streams[sid] = true
      tcp_stream_ports[pinfo.src_port] = true
      tcp_stream_ports[pinfo.dst_port] = true
    else
      return 0
    end
  end
  tcp_frames_seen[pinfo.number] = true
  late_wanted()
  return dissect_tcp_frames(tvb, pinfo, tree, true)
end

-- Segments of an MS-TURN stream that TCP keeps to itself (out of order, retransmitted: 3 of the corpus's 1,844
-- messages) are read from the frame by the late pass below. Its payload is found without a field extractor (which
-- would make tshark build every packet's tree): the TCP header with this packet's ports, under an IPv4 or IPv6 header
-- whose length gives the payload's end.
local function tcp_payload_of(tvb, pinfo)
  local n = tvb:len()
  local sp, dp = pinfo.src_port, pinfo.dst_port
  for o = 20, n - 20 do
    if tvb(o, 2):uint() == sp and tvb(o + 2, 2):uint() == dp then
      local doff = rshift(tvb(o + 12, 1):uint(), 4) * 4
      local first, stop = o + doff, nil
      if doff >= 20 and tvb(o - 20, 1):uint() == 0x45 and tvb(o - 11, 1):uint() == 6 then
        stop = o - 20 + tvb(o - 18, 2):uint()
      elseif doff >= 20 and o >= 40 and rshift(tvb(o - 40, 1):uint(), 4) == 6 and tvb(o - 34, 1):uint() == 6 then
        stop = o + tvb(o - 36, 2):uint()
      end
      if stop and stop <= n and first < stop then return tvb(first, stop - first):tvb() end
    end
  end
  return nil
end

-- Whole frames from the first byte to the last: anything else is the middle of a larger frame, never a message.
local function holds_whole_frames(tvb)
  local n, off = tvb:len(), 0
  while off < n do
    local left, first = n - off, tvb(off, 1):uint()
    if left < 4 then return false end
    local size
    if first == 0x16 then size = 5 + tvb(off + 3, 2):uint()
    elseif (first == 2 or first == 3) and tvb(off + 1, 1):uint() == 0 then size = 4 + tvb(off + 2, 2):uint()
    else return false end
    if size > left then return false end
    off = off + size
  end
  return true
end

function proto_late.dissector(tvb, pinfo, tree)
  -- Called for every frame once registered: the port lookups come first, as they are cheap.
  if not tcp_stream_ports[pinfo.src_port] or not tcp_stream_ports[pinfo.dst_port] or tcp_frames_seen[pinfo.number]
      or not prefs_state.late_segments or not tcp_streams[conv_key(pinfo)] then
    return
  end
  local ptvb = tcp_payload_of(tvb, pinfo)
  if ptvb and holds_whole_frames(ptvb) then dissect_tcp_frames(ptvb, pinfo, tree, false) end
end
