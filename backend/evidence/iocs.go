package evidence

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/safejson"
)

// IOC is one indicator of compromise taken from the evidence.
type IOC struct {
	// Type is sender, reply_to, return_path, domain, ip, url, md5, sha1 or
	// sha256.
	Type  string `json:"type"`
	Value string `json:"value"`
	// Context says where it was found: "From", "link", "hop 2",
	// "attachment invoice.exe", prefixed "attached message 1: " for an
	// attached message.
	Context string `json:"context"`
}

// IOCs lists the indicators of ev and its attached messages, defanged
// (hxxps://evil[.]example/, a[@]evil[.]example, 192[.]0[.]2[.]1) so that
// nothing pasted from them is live. Hashes are left as they are.
func IOCs(ev *Evidence) []IOC { return collectIOCs(ev, true) }

// RawIOCs is IOCs without defanging, for feeding a blocklist.
func RawIOCs(ev *Evidence) []IOC { return collectIOCs(ev, false) }

func collectIOCs(ev *Evidence, defang bool) []IOC {
	c := iocCollector{seen: map[string]bool{}, defang: defang}
	c.walk(ev, "")
	if c.out == nil {
		return []IOC{}
	}
	return c.out
}

type iocCollector struct {
	out    []IOC
	seen   map[string]bool
	defang bool
}

func (c *iocCollector) add(typ, value, context string) {
	value = strings.TrimSpace(value)
	if value == "" || c.seen[typ+"\x00"+value] {
		return
	}
	c.seen[typ+"\x00"+value] = true
	if c.defang && typ != "md5" && typ != "sha1" && typ != "sha256" {
		value = analysis.Defang(value)
	}
	c.out = append(c.out, IOC{Type: typ, Value: value, Context: context})
}

func (c *iocCollector) walk(ev *Evidence, prefix string) {
	c.add("sender", strings.ToLower(ev.From.Address), prefix+"From")
	c.add("domain", ev.From.Domain, prefix+"From")
	c.add("reply_to", strings.ToLower(ev.ReplyTo.Address), prefix+"Reply-To")
	c.add("domain", ev.ReplyTo.Domain, prefix+"Reply-To")
	c.add("return_path", strings.ToLower(ev.ReturnPath), prefix+"Return-Path")
	c.add("domain", analysis.DomainOf(ev.ReturnPath), prefix+"Return-Path")
	for _, h := range ev.Hops {
		if h.IPClass == "public" {
			c.add("ip", h.IP, prefix+"hop "+strconv.Itoa(h.Index))
		}
	}
	for _, u := range ev.URLs {
		switch u.Scheme {
		case "http", "https", "ftp", "ftps":
		default:
			continue
		}
		c.add("url", u.URL, prefix+"link")
		if u.IsIP {
			c.add("ip", u.Host, prefix+"link")
		} else {
			c.add("domain", u.Host, prefix+"link")
		}
		if w := u.Wrapped; w != nil && w.Original != "" {
			c.add("url", w.Original, prefix+"link unwrapped from "+strings.Join(w.Via, ", "))
			_, host := analysis.URLHost(w.Original)
			c.add("domain", host, prefix+"link unwrapped from "+strings.Join(w.Via, ", "))
		}
	}
	for _, a := range ev.Attachments {
		ctx := prefix + "attachment " + a.Name
		c.add("md5", a.MD5, ctx)
		c.add("sha1", a.SHA1, ctx)
		c.add("sha256", a.SHA256, ctx)
	}
	for i, n := range ev.Nested {
		c.walk(n, prefix+"attached message "+strconv.Itoa(i+1)+": ")
	}
}

// WriteIOCsCSV writes iocs as CSV with a type,value,context header.
// Cells that a spreadsheet would take for a formula (=, +, -, @, tab, CR
// first) are prefixed with a quote.
func WriteIOCsCSV(w io.Writer, iocs []IOC) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"type", "value", "context"}); err != nil {
		return err
	}
	for _, i := range iocs {
		if err := cw.Write([]string{cell(i.Type), cell(i.Value), cell(i.Context)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteIOCsJSON writes iocs as an indented JSON array.
func WriteIOCsJSON(w io.Writer, iocs []IOC) error {
	enc := safejson.NewEncoder(w)
	enc.SetIndent("", "  ")
	if iocs == nil {
		iocs = []IOC{}
	}
	return enc.Encode(iocs)
}
