package reported

import (
	"testing"

	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/demo"
)

// corpus returns the demo's messages of one folder, parsed.
func corpus(b *testing.B, folder string) ([][]byte, []*mail.Parsed) {
	b.Helper()
	msgs, err := demo.Messages()
	if err != nil {
		b.Fatal(err)
	}
	var raws [][]byte
	var parsed []*mail.Parsed
	for _, m := range msgs {
		if m.Folder == folder {
			raws = append(raws, m.Raw)
			parsed = append(parsed, mail.ParseMessage(m.Raw))
		}
	}
	return raws, parsed
}

// What recognition adds to a message already parsed (as pull has it),
// per message: BenchmarkParse is the parse itself, for scale.
func BenchmarkRecognizeReports(b *testing.B)    { benchRecognize(b, "Phishing reports") }
func BenchmarkRecognizeNotReports(b *testing.B) { benchRecognize(b, "INBOX") }

func benchRecognize(b *testing.B, folder string) {
	raws, parsed := corpus(b, folder)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(raws)
		RecognizeLimited(raws[k], parsed[k], Limits{})
	}
}

func BenchmarkParse(b *testing.B) {
	raws, _ := corpus(b, "Phishing reports")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mail.ParseMessage(raws[i%len(raws)])
	}
}

// A 10,000-attachment .msg, read within the limits.
func BenchmarkReadMsgManyAttachments(b *testing.B) {
	file := manyAttachments(10000)
	b.SetBytes(int64(len(file)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ReadMsg(file, MsgLimits{}); err != nil {
			b.Fatal(err)
		}
	}
}
