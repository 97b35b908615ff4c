package campaign

import (
	"testing"

	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/demo"
)

// What a URL or attachment grouping spends on each message it reads
// (keysOf), per message of a demo folder: reports are grouped by the
// original they carry.
func BenchmarkKeysOfReport(b *testing.B)    { benchKeysOf(b, "Phishing reports") }
func BenchmarkKeysOfNotReport(b *testing.B) { benchKeysOf(b, "INBOX") }

func benchKeysOf(b *testing.B, folder string) {
	msgs, err := demo.Messages()
	if err != nil {
		b.Fatal(err)
	}
	var raws [][]byte
	for _, m := range msgs {
		if m.Folder == folder {
			raws = append(raws, m.Raw)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		keysOf(raws[i%len(raws)], evidence.Limits{})
	}
}
