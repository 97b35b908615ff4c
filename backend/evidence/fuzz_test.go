package evidence

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func FuzzAnalyze(f *testing.F) {
	f.Add(phish())
	f.Add([]byte("From: a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n--a--"))
	f.Add([]byte("Received: from x ([1.2.3.4]) by y; Mon, 1 Jan 2024 00:00:00 +0000\nContent-Type: message/rfc822\n\nFrom: b\n\nhttps://x.example/"))
	f.Add([]byte("Content-Type: text/html\n\n<a href=\"https://urldefense.com/v3/__https://a.example/*__;Kw!!x$\">paypal.com</a>"))
	f.Add(msgReport(f))
	lim := Limits{MaxBytes: 256 << 10, MaxDepth: 8, MaxParts: 50, MaxHeaderFields: 100, MaxHeaderLength: 4 << 10, MaxURLs: 100, MaxNested: 2}
	f.Fuzz(func(t *testing.T, raw []byte) {
		x := ExportMessage(raw, "id", "Inbox", lim)
		ev := x.Analysis
		if ev == nil || ev.Hops == nil || ev.URLs == nil || ev.Signals == nil {
			t.Fatalf("incomplete evidence %+v", ev)
		}
		if len(ev.URLs) > lim.MaxURLs || len(ev.Attachments) > lim.MaxParts {
			t.Errorf("%d URLs, %d attachments past the limits", len(ev.URLs), len(ev.Attachments))
		}
		for _, s := range ev.Skipped {
			if s.What == "" || s.Reason == "" {
				t.Errorf("empty skip %+v", s)
			}
		}
		if d := exportDepth(x); d > lim.MaxNested {
			t.Errorf("parsed_attachment_data %d levels deep, limit %d", d, lim.MaxNested)
		}
		if _, err := json.Marshal(x); err != nil {
			t.Fatalf("export does not marshal: %v", err)
		}
		var buf bytes.Buffer
		if err := WriteIOCsCSV(&buf, IOCs(ev)); err != nil {
			t.Fatal(err)
		}
		for _, i := range IOCs(ev) {
			if i.Type == "url" && (strings.Contains(i.Value, "http://") || strings.Contains(i.Value, "https://")) {
				t.Errorf("live URL IOC %q", i.Value)
			}
		}
	})
}

// exportDepth is how deep parsed_attachment_data nests.
func exportDepth(x *Export) int {
	d := 0
	for _, n := range x.ParsedAttachmentData {
		d = max(d, 1+exportDepth(n))
	}
	return d
}
