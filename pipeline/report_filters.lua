-- The embedded renderer's pandoc filter (pipeline/render/): what Quarto itself adds.
--   * conditional content: ::: {.content-visible when-format="docx"} and .content-hidden,
--     with when-format / unless-format, kept or dropped for the output format;
--   * HTML only: Bootstrap's table class on every table, as Quarto's HTML format gives them.
-- (Section anchors are added to the HTML after pandoc: a link inside a heading would show up
-- in the table of contents.)

local function format_matches(name)
  if name == "html" then return FORMAT:match("html") ~= nil end
  return FORMAT == name
end

local function visible(div)
  local when, unless = div.attributes["when-format"], div.attributes["unless-format"]
  local shown = true
  if when then shown = format_matches(when) end
  if unless then shown = shown and not format_matches(unless) end
  if div.classes:includes("content-hidden") then return not shown end
  return shown
end

function Div(div)
  if div.classes:includes("content-visible") or div.classes:includes("content-hidden") then
    if visible(div) then return div.content end
    return {}
  end
end

function Table(t)
  if FORMAT:match("html") then
    t.classes:insert("table")
    return t
  end
end
