package message

import (
	"testing"

	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/demo"
)

// benchCorpus returns the demo's messages of one folder as fetched.
func benchCorpus(b *testing.B, folder string) []*mail.RawMessage {
	b.Helper()
	msgs, err := demo.Messages()
	if err != nil {
		b.Fatal(err)
	}
	var out []*mail.RawMessage
	for _, m := range msgs {
		if m.Folder == folder {
			out = append(out, &mail.RawMessage{Raw: m.Raw, Size: int64(len(m.Raw))})
		}
	}
	if len(out) == 0 {
		b.Fatalf("no demo message in %s", folder)
	}
	return out
}

// What opening a message costs once it is fetched: recognising a report,
// analysing what is shown (a report's original) and sanitising it for
// the tabs. Per message of the demo folder.
func BenchmarkOpenReport(b *testing.B)    { benchOpen(b, "Phishing reports") }
func BenchmarkOpenNotReport(b *testing.B) { benchOpen(b, "INBOX") }

func benchOpen(b *testing.B, folder string) {
	raws := benchCorpus(b, folder)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		buildDocument(raws[i%len(raws)], evidence.Limits{})
	}
}
