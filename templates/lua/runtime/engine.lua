-- Runtime engine of the generated dissector (templates/lua/runtime/engine.lua): plain Lua, copied after the
-- generated tables. Runs on Lua 5.2 to 5.4; reads the tables, fields and constants defined above it.

-- Engine: the same code walks every flavour; only the tables above differ. ------------------------
-- Rules: every read is checked against the message and attribute bounds first; problems become
-- expert items and the walk returns cleanly (never error()).

-- Wireshark's BitOp library "bit" exists with Lua 5.2 and 5.4 alike (bit32 is gone in 5.4). Its results are
-- signed 32-bit numbers: only ever shift or mask them before printing (see ipv4_string).
local band, bxor, rshift = bit.band, bit.bxor, bit.rshift

-- Numbers are read from one string of the bytes (tvb:raw) at 1-based positions: a range object per number costs
-- about twice as much, and the hot path reads dozens per message.
local sbyte = string.byte

-- wslua finds a method such as tvb:raw or item:add by its name, through a C __index dispatcher, on every call: about
-- 1,000 machine instructions each (callgrind, tshark 4.0), more than most of these calls then do. The per-packet
-- paths call the class functions themselves.
local tvb_raw, tvb_len, item_add, item_append = Tvb.raw, Tvb.len, TreeItem.add, TreeItem.append_text
local set_generated, dissector_call = TreeItem.set_generated, Dissector.call
local function u16(s, i)
  local a, b = sbyte(s, i, i + 1)
  return a * 256 + b
end
local function u32(s, i)
  local a, b, c, d = sbyte(s, i, i + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end

local prefs_state = { rfc_to_builtin = true, data_mode = 1, heur_udp = true, heur_tcp = true, late_segments = true }
local DATA_AUTO, DATA_WIRESHARK, DATA_RAW = 1, 2, 3

-- State kept across packets. Keys are frame numbers or strings, so a second pass (GUI) sees the same.
local transactions = {}   -- transaction id (its raw bytes) -> { req = frame, req_ts = seconds, resp = frame }
local mux_sessions = {}   -- session id (its raw bytes) -> frame that announced it
local raw_media = {}      -- 5-tuple key -> frame of the Set Active Destination success
local raw_media_first = {} -- 5-tuple key -> first raw media frame of that flow
local mux_flows = {}      -- 5-tuple key -> first multiplexed frame: the relay answers on it with bare payloads
-- Port pairs of those two kinds of flows: a cheap first test, so other datagrams never build an address key.
local raw_media_ports = {}
local mux_flow_ports = {}
local tcp_streams = {}    -- address pair (conv_key) -> true when the TCP stream carries MS-TURN
local tcp_frames_seen = {} -- frame -> true when TCP handed the segment to us
local tcp_stream_ports = {} -- port -> true when an MS-TURN TCP stream uses it (a cheap first test)
local srtcp_layouts = {}  -- SSRC -> SRTCP trailer layout learnt from its packets

-- The late pass (see transport) is a post-dissector, and Wireshark calls post-dissectors on every frame; it is
-- registered only once a capture shows an MS-TURN TCP stream, so other captures never pay for it.
local proto_late = Proto(LATE_PROTO_NAME, "MS-TURN segments TCP did not hand on")
local late_registered = false
local function late_wanted()
  if not late_registered and prefs_state.late_segments then
    late_registered = true
    register_postdissector(proto_late)
  end
end

local stun_builtin = Dissector.get("stun-udp")
local previous_udp = {}    -- port -> dissector that owned it before us (STUN on 3478), given back when the port goes
local rtp_dissector = Dissector.get("rtp")
local rtcp_dissector = Dissector.get("rtcp")
local data_dissector = Dissector.get("data")

-- h: the message's first bytes (28 of them when avail allows, else at least 20).
local function flavour_in(h, avail)
  if avail < 20 or sbyte(h, 1) >= 0x40 then return nil end
  local mlen = u16(h, 3)
  if avail >= 28 then
    local marker, mark_len, value = u16(h, 21), u16(h, 23), u32(h, 25)
    for _, fl in ipairs(FLAVOURS) do
      if fl.marker == marker and mark_len == 4 and value == fl.marker_value then return fl end
    end
  end
  local cookie = u32(h, 5)
  for _, fl in ipairs(FLAVOURS) do
    if not fl.marker and fl.cookie == cookie and (not fl.padding or mlen % 4 == 0) and 20 + mlen <= avail then
      return fl
    end
  end
  return nil
end

local function flavour_of(tvb, off, avail)
  if avail < 20 then return nil end
  return flavour_in(tvb_raw(tvb, off, avail >= 28 and 28 or 20), avail)
end

-- Inside DATA the bytes are known to be relayed: a STUN header with the cookie is a message even when
-- its length is wrong, so the damage is reported instead of the bytes being shown as unknown data.
local function flavour_of_relayed(tvb, n, first)
  if n < 20 or first >= 0x40 then return nil end
  local fl = flavour_of(tvb, 0, n)
  if fl then return fl end
  local cookie = u32(tvb_raw(tvb, 4, 4), 1)
  for _, f in ipairs(FLAVOURS) do
    if not f.marker and f.cookie == cookie then return f end
  end
  return nil
end

-- The two ports as one number, lower first. Ports may be given when the caller already read them: each read of
-- pinfo goes through wslua's name lookup.
local function port_pair(pinfo, a, b)
  a, b = a or pinfo.src_port, b or pinfo.dst_port
  if a < b then return a * 65536 + b end
  return b * 65536 + a
end

local function conv_key(pinfo, sport, dport)
  local a = tostring(pinfo.src) .. ":" .. (sport or pinfo.src_port)
  local b = tostring(pinfo.dst) .. ":" .. (dport or pinfo.dst_port)
  if a < b then return a .. "|" .. b end
  return b .. "|" .. a
end

local function ipv4_string(n)
  return string.format("%d.%d.%d.%d", rshift(n, 24), band(rshift(n, 16), 255), band(rshift(n, 8), 255), band(n, 255))
end

-- A text attribute's value from its raw bytes: valid UTF-8 stays as it is (tshark's default ASCII reading turns
-- every non-ASCII byte into U+FFFD), a NUL is shown as \0 rather than ending the string, and a byte that is not
-- UTF-8 is shown as \xNN.
local function text_of(s)
  if not s:find("[\0\128-\255]") then return s end
  local out, i, n = {}, 1, #s
  while i <= n do
    local c = s:byte(i)
    local len = (c < 0x80 and 1) or (c >= 0xC2 and c <= 0xDF and 2) or (c >= 0xE0 and c <= 0xEF and 3)
      or (c >= 0xF0 and c <= 0xF4 and 4) or 0
    local ok = len > 0 and i + len - 1 <= n
    for k = i + 1, ok and i + len - 1 or 0 do
      local b = s:byte(k)
      if b < 0x80 or b > 0xBF then ok = false end
    end
    if ok and len > 2 then
      -- overlong forms, UTF-16 surrogates and code points past U+10FFFF
      local b = s:byte(i + 1)
      if (c == 0xE0 and b < 0xA0) or (c == 0xED and b > 0x9F)
        or (c == 0xF0 and b < 0x90) or (c == 0xF4 and b > 0x8F) then
        ok = false
      end
    end
    if not ok then
      out[#out + 1] = string.format("\\x%02X", c)
      i = i + 1
    elseif c == 0 then
      out[#out + 1] = "\\0"
      i = i + 1
    else
      out[#out + 1] = s:sub(i, i + len - 1)
      i = i + len
    end
  end
  return table.concat(out)
end

-- The Info text is gathered in ctx and set once, with the protocol column, when the packet is done (finish_info):
-- the dissectors relayed bytes are handed to write their own columns, and these overwrite them.
local function add_info(ctx, text)
  local t = ctx.text
  if #t > 0 then t[#t + 1] = ", " end
  t[#t + 1] = text
end

local dissect_payload -- forward declaration: DATA and multiplexed frames hand their bytes to it
local note_links      -- forward declaration: link attributes of messages handed to Wireshark's STUN

local function decode_address(tvb, p, size, tree, xor_off, msg_off, ctx)
  if size < 4 then
    tree:add_proto_expert_info(E.bad_length, "address shorter than 4 bytes")
    return "?"
  end
  local v = tvb_raw(tvb, p, math.min(size, 20))
  local key = xor_off > 0 and tvb_raw(tvb, msg_off + xor_off, 16) or nil
  item_add(tree, F["att.reserved"], tvb(p, 1))
  item_add(tree, F["att.family"], tvb(p + 1, 1))
  local family = sbyte(v, 2)
  local port = u16(v, 3)
  if key then port = bxor(port, u16(key, 1)) end
  local port_item = item_add(tree, F["att.port"], tvb(p + 2, 2), port)
  if key and ctx.show then port_item:append_text(" (XOR-ed on the wire)") end
  if family == 1 and size == 8 then
    local ip = u32(v, 5)
    if key then
      ip = bxor(ip, u32(key, 1))
      if ip < 0 then ip = ip + 4294967296 end
      local text = ipv4_string(ip)
      tree:add(F["att.ipv4"], tvb(p + 4, 4), Address.ip(text)):set_generated()
      return text .. ":" .. port
    end
    item_add(tree, F["att.ipv4"], tvb(p + 4, 4))
    return ipv4_string(ip) .. ":" .. port
  elseif family == 2 and size == 20 then
    local parts = {}
    for i = 0, 7 do
      local w = u16(v, 5 + 2 * i)
      if key then w = bxor(w, u16(key, 1 + 2 * i)) end
      parts[#parts + 1] = string.format("%x", w)
    end
    local text = table.concat(parts, ":")
    if key then
      tree:add(F["att.ipv6"], tvb(p + 4, 16), Address.ipv6(text)):set_generated()
    else
      item_add(tree, F["att.ipv6"], tvb(p + 4, 16))
    end
    return "[" .. text .. "]:" .. port
  end
  tree:add_proto_expert_info(E.bad_length, "address family " .. family .. " with value length " .. size)
  return "?"
end

-- How one field reads in its attribute's summary: value names rather than numbers.
local function field_text(f, r, size, text)
  local k = f.kind
  if k == "u64" then return "0x" .. r:bytes():tohex() end
  if k == "text" then
    if text:sub(1, 1) == '"' then return text end
    return '"' .. text .. '"'
  end
  if k == "bytes" then return size .. " bytes" end
  local v = r:uint()
  if f.vs and f.vs[v] then return f.vs[v] end
  if f.hex then return "0x" .. r:bytes():tohex() end
  return tostring(v) .. f.unit
end

-- Returns the value's summary: the one meaningful field as it reads, or "Label: value" for each of several (only
-- when wanted: by a tree someone sees, or for the Info column).
local function decode_fields(fields, tvb, p, vend, tree, pinfo, ctx, msg_off, want)
  local parts = {}
  for _, f in ipairs(fields) do
    local size = f.size or (vend - p)
    if size < 0 or p + size > vend then
      tree:add_proto_expert_info(E.bad_length, "value too short for its fields")
      break
    end
    local k = f.kind
    if k == "addr" or k == "xaddr" then
      local text = decode_address(tvb, p, size, tree, k == "xaddr" and f.xor or 0, msg_off, ctx)
      if want then parts[#parts + 1] = { f.label, text } end
    elseif size > 0 then
      local r = tvb(p, size)
      if k == "group" then
        local sub = item_add(tree, f.f, r)
        decode_fields(f.children, tvb, p, p + size, sub, pinfo, ctx, msg_off, false)
      else
        local text = k == "text" and text_of(r:raw()) or nil
        local item = text and item_add(tree, f.f, r, text) or item_add(tree, f.f, r)
        for _, b in ipairs(f.bits) do item_add(item, b, r) end
        if want and not f.reserved then parts[#parts + 1] = { f.label, field_text(f, r, size, text) } end
      end
    end
    p = p + size
  end
  if #parts == 0 then return nil end
  if #parts == 1 then return parts[1][2] end
  local list = {}
  for i, part in ipairs(parts) do list[i] = part[1] .. ": " .. part[2] end
  return table.concat(list, ", ")
end

-- CRC-32 (IEEE, reflected), table made on first use.
local crc_table = nil
local function crc32(s)
  if not crc_table then
    crc_table = {}
    for i = 0, 255 do
      local c = i
      for _ = 1, 8 do
        if band(c, 1) == 1 then c = bxor(0xEDB88320, rshift(c, 1)) else c = rshift(c, 1) end
      end
      crc_table[i] = c
    end
  end
  local c = -1
  for i = 1, #s do
    c = bxor(crc_table[band(bxor(c, s:byte(i)), 0xFF)], rshift(c, 8))
  end
  return bit.bnot(c)
end

-- What an attribute's role adds to its plain fields: the error code as a number, a checked fingerprint.
-- Returns the summary and the Info column text when the role makes its own.
local function decode_role(spec, tvb, p, len, tree, msg_off, summary)
  if spec.role == "error_code" and len >= 4 then
    local code = band(tvb(p + 2, 1):uint(), 7) * 100 + tvb(p + 3, 1):uint()
    tree:add(F["att.error_code"], tvb(p + 2, 2), code):set_generated()
    local reason = len > 4 and text_of(tvb(p + 4, len - 4):raw()) or ""
    if reason == "" then return tostring(code), tostring(code) end
    return code .. " (" .. reason .. ")", tostring(code)
  elseif spec.role == "fingerprint" and len == 4 then
    local want = bxor(crc32(tvb_raw(tvb, msg_off, p - 4 - msg_off)), 0x5354554E)
    local ok = band(want, 0xFFFFFFFF) == band(tvb(p, 4):uint(), 0xFFFFFFFF)
    local item = item_add(tree, F["att.fingerprint_status"], tvb(p, 4), ok and 1 or 0)
    item:set_generated()
    if not ok then
      item:add_proto_expert_info(E.fingerprint, string.format("expected 0x%08x", band(want, 0xFFFFFFFF) % 4294967296))
    end
    return summary .. (ok and " [correct]" or " [incorrect]"), nil
  end
  return summary, nil
end

local function decode_value(spec, tvb, p, len, tree, pinfo, ctx, msg_off, want)
  local layout = nil
  for _, l in ipairs(spec.layouts) do
    if l.len == len then layout = l break end
  end
  if not layout then
    for _, l in ipairs(spec.layouts) do
      if l.len == nil then layout = l break end
    end
  end
  if not layout then
    tree:add_proto_expert_info(E.bad_length, spec.name .. " has no layout for length " .. len)
    if len > 0 then item_add(tree, F["att.value"], tvb(p, len)) end
    return nil
  end
  local summary = decode_fields(layout.fields, tvb, p, p + len, tree, pinfo, ctx, msg_off, want)
  local info_text = nil
  if spec.role then summary, info_text = decode_role(spec, tvb, p, len, tree, msg_off, summary or "") end
  if spec.link and len > 0 then
    local id = tvb_raw(tvb, p, len)
    if mux_sessions[id] == nil then mux_sessions[id] = pinfo.number end
  end
  if spec.payload and len > 0 then
    dissect_payload(tvb(p, len):tvb(), pinfo, tree, ctx)
  end
  return summary, info_text
end

local function track_transaction(tvb, off, fl, mclass, msg_tree, pinfo)
  local key = tvb_raw(tvb, off + 4, 16)
  local t = transactions[key]
  if mclass == CLASS_REQUEST then
    if t == nil then
      t = { req = pinfo.number, req_ts = pinfo.abs_ts, flow = conv_key(pinfo), ports = port_pair(pinfo) }
      transactions[key] = t
    end
    if t.resp then msg_tree:add(F["response_in"], t.resp):set_generated() end
  elseif mclass == CLASS_SUCCESS or mclass == CLASS_ERROR then
    if t and t.req and t.req ~= pinfo.number then
      if t.resp == nil then t.resp = pinfo.number end
      msg_tree:add(F["request_in"], t.req):set_generated()
      local d = pinfo.abs_ts - t.req_ts
      if d < 0 then d = 0 end
      local secs = math.floor(d)
      msg_tree:add(F["response_time"], NSTime.new(secs, math.floor((d - secs) * 1e9 + 0.5))):set_generated()
    end
  end
end

-- Hot-path fields and labels, looked up once.
local F_att, F_att_type, F_att_length = F["att"], F["att.type"], F["att.length"]
local F_att_value, F_att_padding = F["att.value"], F["att.padding"]
local F_type, F_length, F_cookie = F["type"], F["length"], F["cookie"]
local F_tid, F_flavour = F["transaction_id"], F["flavour"]

-- Labels of schema entries, made once per entry instead of once per packet.
local function labels_of(spec, code)
  local l = spec.labels
  if l == nil then
    local need = ""
    if spec.required ~= nil then
      need = spec.required and ", comprehension-required" or ", comprehension-optional"
    end
    l = { title = string.format("%s (0x%04x)", spec.name, code), suffix = " (" .. spec.name .. need .. ")" }
    spec.labels = l
  end
  return l
end

-- Dissects one message at off; returns the bytes it covers (0 when not a message).
local function dissect_message(tvb, off, avail, pinfo, tree, fl, ctx)
  local seen = math.min(20 + u16(tvb_raw(tvb, off + 2, 2), 1), avail)
  local s = tvb_raw(tvb, off, seen)   -- s[i] is the byte at off + i - 1
  local mtype = u16(s, 1)
  local total = 20 + u16(s, 3)
  local msg_end = off + total
  local show = ctx.show
  local msg_tree = item_add(tree, proto, tvb(off, seen))
  local info = fl.messages[mtype]
  local name, suffix
  if info then
    local l = labels_of(info, mtype)
    name, suffix = info.name, l.suffix
  else
    name = string.format("Unknown message type 0x%04x", mtype)
    suffix = " (" .. name .. ")"
  end
  local type_item = item_add(msg_tree, F_type, tvb(off, 2))
  if show then
    msg_tree:append_text(": " .. name)
    type_item:append_text(suffix)
  end
  item_add(msg_tree, F_length, tvb(off + 2, 2))
  if fl.cookie then item_add(msg_tree, F_cookie, tvb(off + 4, 4)) end
  item_add(msg_tree, F_tid, tvb(off + fl.tid_offset, fl.tid_length))
  msg_tree:add(F_flavour, fl.name):set_generated()
  if ctx.depth == 0 then add_info(ctx, name) else ctx.inner[#ctx.inner + 1] = name end

  if total > avail then
    msg_tree:add_proto_expert_info(E.truncated,
      string.format("message length %d, only %d bytes available", total, avail))
    msg_end = off + avail
  end
  if info and info.tracked then track_transaction(tvb, off, fl, info.class, msg_tree, pinfo) end

  local info_parts = {}
  local a = off + 20
  while a < msg_end do
    if msg_end - a < 4 then
      msg_tree:add_proto_expert_info(E.overrun, "attribute header cut short")
      break
    end
    local at = u16(s, a - off + 1)
    local al = u16(s, a - off + 3)
    local step = 4 + al
    if fl.padding then step = 4 + al + (4 - al % 4) % 4 end
    local spec = fl.attributes[at]
    local at_tree = item_add(msg_tree, F_att, tvb(a, math.min(step, msg_end - a)))
    local type_item = item_add(at_tree, F_att_type, tvb(a, 2))
    if not show then
      -- Wireshark drops item texts when no one sees the tree (tshark -q, -T fields, -e): none are made.
    elseif spec then
      local l = labels_of(spec, at)
      at_tree:set_text(l.title)
      type_item:append_text(l.suffix)
    else
      at_tree:set_text(string.format("Unknown (0x%04x)", at))
      type_item:append_text(" (Unknown)")
    end
    item_add(at_tree, F_att_length, tvb(a + 2, 2))
    if a + 4 + al > msg_end then
      at_tree:add_proto_expert_info(E.overrun, string.format("length %d goes past the end of the message", al))
      break
    end
    if spec then
      local to_info = spec.info and ctx.depth == 0
      local summary, info_text = decode_value(spec, tvb, a + 4, al, at_tree, pinfo, ctx, off, show or to_info)
      if summary then
        if show then at_tree:append_text(": " .. summary) end
        if to_info then info_parts[#info_parts + 1] = spec.info .. " " .. (info_text or summary) end
      end
    else
      at_tree:add_proto_expert_info(E.unknown)
      if al > 0 then item_add(at_tree, F_att_value, tvb(a + 4, al)) end
    end
    if step > 4 + al then
      if a + step > msg_end then
        at_tree:add_proto_expert_info(E.overrun, "padding goes past the end of the message")
        break
      end
      item_add(at_tree, F_att_padding, tvb(a + 4 + al, step - 4 - al))
    end
    a = a + step
  end

  if #info_parts > 0 then ctx.text[#ctx.text + 1] = " " .. table.concat(info_parts, ", ") end

  if info and info.raw_media and ctx.udp and ctx.depth == 0 and not pinfo.visited then
    local key = conv_key(pinfo)
    if raw_media[key] == nil then raw_media[key] = pinfo.number end
    raw_media_ports[port_pair(pinfo)] = true
    -- A relay may answer from another address than the one asked (Skype: 20.202.1.37 for 20.202.146.142); the
    -- client then sends its raw media to the address it asked.
    local t = transactions[tvb:raw(off + 4, 16)]
    if t and t.flow and t.flow ~= key then
      if raw_media[t.flow] == nil then raw_media[t.flow] = pinfo.number end
      raw_media_ports[t.ports] = true
    end
  end
  return math.min(total, avail)
end

-- h: the packet's first bytes (at least the 12-byte header).
local function dissect_srtp(tvb, h, pinfo, tree, show)
  local n = tvb_len(tvb)
  local t = item_add(tree, F["media"], tvb(), "SRTP")
  if not rtp_dissector then
    t:add(F["rtp.version"], tvb(0, 1)); t:add(F["rtp.padding"], tvb(0, 1)); t:add(F["rtp.extension"], tvb(0, 1))
    t:add(F["rtp.cc"], tvb(0, 1)); t:add(F["rtp.marker"], tvb(1, 1)); t:add(F["rtp.pt"], tvb(1, 1))
    t:add(F["rtp.seq"], tvb(2, 2)); t:add(F["rtp.timestamp"], tvb(4, 4)); t:add(F["rtp.ssrc"], tvb(8, 4))
  end
  local first = sbyte(h, 1)
  local p = 12 + 4 * band(first, 0x0F)
  if band(first, 0x10) ~= 0 and p + 4 <= n then
    if not rtp_dissector then
      t:add(F["rtp.ext_profile"], tvb(p, 2)); t:add(F["rtp.ext_length"], tvb(p + 2, 2))
    end
    p = p + 4 + 4 * u16(tvb_raw(tvb, p + 2, 2), 1)
  end
  if p < n then item_add(t, F["srtp.payload"], tvb(p, n - p)) end
  if show then
    item_append(t, string.format(", PT=%d, SSRC=0x%08x, Seq=%d", band(sbyte(h, 2), 0x7F), u32(h, 9), u16(h, 3)))
  end
  return "SRTP"
end

-- SRTCP ends with E|index, an optional MKI and the authentication tag (RFC 3711 3.4). Their lengths are negotiated,
-- not sent: 10-byte tags (HMAC-SHA1-80), Teams' 1-byte MKI before the tag, Skype's E|index last, 4-byte tags
-- (HMAC-SHA1-32) or a 4-byte MKI. The index counts packets, so the word at the right place is below 2^24, and SRTCP
-- is encrypted, so E is set: random bytes pass both tests once in 256. Each sender's layout is learnt when only one
-- candidate fits; a packet that fits none shows no index.
local SRTCP_TRAILERS = { { tag = 10, mki = 0 }, { tag = 10, mki = 1 }, { tag = 0, mki = 0 }, { tag = 4, mki = 0 },
  { tag = 10, mki = 4 } }
local function srtcp_trailer(tvb, n, ssrc)
  local known = srtcp_layouts[ssrc]
  if known and n >= 12 + known.tag + known.mki then return known end
  for _, e in ipairs({ 0x80, 0 }) do
    local found, count = nil, 0
    for _, t in ipairs(SRTCP_TRAILERS) do
      local at = n - 4 - t.tag - t.mki
      if at >= 8 and tvb(at, 1):uint() == e then
        count = count + 1
        found = found or t
      end
    end
    if count == 1 then srtcp_layouts[ssrc] = found end
    if found then return found end
  end
  return nil
end

local function dissect_srtcp(tvb, pinfo, tree, show)
  local n = tvb_len(tvb)
  local t = item_add(tree, F["media"], tvb(), "SRTCP")
  item_add(t, F["rtcp.version"], tvb(0, 1)); item_add(t, F["rtcp.padding"], tvb(0, 1))
  item_add(t, F["rtcp.count"], tvb(0, 1)); item_add(t, F["rtcp.pt"], tvb(1, 1))
  item_add(t, F["rtcp.length"], tvb(2, 2)); item_add(t, F["rtcp.ssrc"], tvb(4, 4))
  -- The first header and sender SSRC travel in clear; the rest is encrypted, then comes the trailer.
  local ssrc = tvb(4, 4):uint()
  local tr = srtcp_trailer(tvb, n, ssrc)
  if tr then
    local at = n - 4 - tr.tag - tr.mki
    if at > 8 then item_add(t, F["srtcp.encrypted"], tvb(8, at - 8)) end
    item_add(t, F["srtcp.e_flag"], tvb(at, 4)); item_add(t, F["srtcp.index"], tvb(at, 4))
    if tr.mki > 0 then item_add(t, F["srtcp.mki"], tvb(at + 4, tr.mki)) end
    item_add(t, F["srtcp.auth_tag"], tvb(n - tr.tag, tr.tag))
    if show then
      item_append(t, string.format(", PT=%d, SSRC=0x%08x, index %d", tvb(1, 1):uint(), ssrc,
        band(tvb(at, 4):uint(), 0x7FFFFFFF)))
    end
  else
    if n > 8 then item_add(t, F["srtcp.encrypted"], tvb(8, n - 8)) end
    if show then item_append(t, string.format(", PT=%d, SSRC=0x%08x", tvb(1, 1):uint(), ssrc)) end
  end
  return "SRTCP"
end

-- Hands relayed bytes to one of Wireshark's dissectors, so its filters, taps and statistics see them (stun, rtp,
-- Telephony › RTP Streams). The packet's columns stay ours (finish_info sets them after): the relay's message is
-- what the packet is. An exception inside that dissector stays its own, as its items show.
local function call_relayed(d, tvb, pinfo, tree)
  pcall(dissector_call, d, tvb, pinfo, tree)
end

-- A message handed to Wireshark's STUN dissector is not decoded here, but its link attributes still announce
-- sessions (Teams' ICE checks carry MS-MULTIPLEXED-TURN-SESSION-ID): read them so the flows they name are followed.
note_links = function(tvb, n, fl, pinfo)
  if pinfo.visited then return end
  local s = tvb:raw(0, n)
  local a = 20
  while a + 4 <= n do
    local al = u16(s, a + 3)
    if a + 4 + al > n then return end
    local spec = fl.attributes[u16(s, a + 1)]
    if spec and spec.link and al > 0 then
      local id = tvb:raw(a + 4, al)
      if mux_sessions[id] == nil then mux_sessions[id] = pinfo.number end
    end
    a = a + 4 + al
    if fl.padding then a = a + (4 - al % 4) % 4 end
  end
end

-- Relayed bytes: STUN (any flavour), then SRTP/SRTCP by the RTP version bits and RFC 5761 type ranges.
dissect_payload = function(ptvb, pinfo, tree, ctx)
  local n = tvb_len(ptvb)
  if n == 0 then return end
  local mode = prefs_state.data_mode
  local h = tvb_raw(ptvb, 0, n >= 12 and 12 or n)
  local first = sbyte(h, 1)
  local fl = flavour_of_relayed(ptvb, n, first)
  if fl and mode ~= DATA_RAW then
    if not fl.marker and prefs_state.rfc_to_builtin and stun_builtin and 20 + u16(h, 3) == n then
      -- An ICE check: a standard STUN message, so Wireshark's STUN dissector shows it and `stun` filters find it.
      local info = fl.messages[u16(h, 1)]
      ctx.inner[#ctx.inner + 1] = info and info.name or "STUN"
      note_links(ptvb, n, fl, pinfo)
      call_relayed(stun_builtin, ptvb, pinfo, tree)
      return
    end
    ctx.depth = ctx.depth + 1
    dissect_message(ptvb, 0, n, pinfo, tree, fl, ctx)
    ctx.depth = ctx.depth - 1
    return
  end
  if n >= 12 and rshift(first, 6) == 2 and mode ~= DATA_RAW then
    local pt = sbyte(h, 2)
    local is_rtcp = pt >= 192 and pt <= 223
    if mode == DATA_WIRESHARK then
      local d = is_rtcp and rtcp_dissector or rtp_dissector
      if d then
        ctx.inner[#ctx.inner + 1] = is_rtcp and "RTCP" or "RTP"
        call_relayed(d, ptvb, pinfo, tree)
        return
      end
    end
    local kind = is_rtcp and dissect_srtcp(ptvb, pinfo, tree, ctx.show) or dissect_srtp(ptvb, h, pinfo, tree, ctx.show)
    -- SRTP's header is clear: Wireshark's RTP dissector reads it, so RTP Streams and -z rtp,streams count relayed
    -- calls (loss, jitter); the payload stays encrypted bytes.
    if not is_rtcp and rtp_dissector then call_relayed(rtp_dissector, ptvb, pinfo, tree) end
    ctx.inner[#ctx.inner + 1] = kind
    return
  end
  item_add(tree, F["media.data"], ptvb())
end
