package campaign

import (
	"reflect"
	"testing"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/evidence"
	"github.com/mailtriage/mailtriage/backend/mail"
	"github.com/mailtriage/mailtriage/backend/reported"
	"github.com/mailtriage/mailtriage/demo"
)

func TestKeyCacheIsBounded(t *testing.T) {
	c := NewCache()
	ref := mail.FolderRef{Name: "INBOX", UIDValidity: 1}
	for uid := range mail.UID(MaxKeys + 10) {
		c.Put(ref, uid, analysis.CampaignKeys{})
	}
	if c.Len() != MaxKeys {
		t.Fatalf("cache holds %d, want at most %d", c.Len(), MaxKeys)
	}
	if _, ok := c.Get(ref, 0); ok {
		t.Error("the oldest entry was not dropped")
	}
	if _, ok := c.Get(mail.FolderRef{Name: "INBOX", UIDValidity: 2}, MaxKeys+5); ok {
		t.Error("an entry of another UIDVALIDITY answered")
	}
}

// keysOf gives a report the keys of the original it carries and any
// other message its own, as analysing each on its own would.
func TestKeysOfIsTheOriginalsForAReport(t *testing.T) {
	msgs, err := demo.Messages()
	if err != nil {
		t.Fatal(err)
	}
	reports := 0
	for _, m := range msgs {
		subject := m.Raw
		if r, ok := reported.Recognize(m.Raw); ok && len(r.Originals) > 0 {
			subject = r.Originals[0].Raw
			reports++
		}
		want := evidence.Analyze(subject, evidence.Limits{}).Campaign
		if got := keysOf(m.Raw, evidence.Limits{}); !reflect.DeepEqual(got, want) {
			t.Errorf("%s/%s: keys %+v, want %+v", m.Folder, m.File, got, want)
		}
	}
	if reports == 0 {
		t.Fatal("the demo corpus held no report: the test proves nothing")
	}
}
