package campaign

import (
	"testing"

	"github.com/mailtriage/mailtriage/backend/analysis"
	"github.com/mailtriage/mailtriage/backend/mail"
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
