package pull

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// extras adds what was asked for beyond the record itself: the message
// as base64 (--save-email) and the attachments as files
// (--attachments-dir).
func extras(r *Record, p *mail.Parsed, msg *mail.RawMessage, opts Options) error {
	if opts.SaveEmail {
		saveEmail(r, msg)
	}
	if opts.AttachmentsDir == "" {
		return nil
	}
	if msg.Truncated {
		// Its last attachments were cut with it: no file passes for one.
		r.Capped = append(r.Capped, mail.Cap{What: "attachment_files",
			Reason: fmt.Sprintf("the message (%d bytes) is larger than max_message_bytes; no attachment was written", msg.Size)})
		return nil
	}
	for i := range r.Attachments {
		if i >= len(p.Parts) {
			break
		}
		path := filepath.Join(opts.AttachmentsDir, attachmentFileName(r.ItemID, i, p.Parts[i].Name))
		if err := writePrivate(path, p.Parts[i].Content); err != nil {
			return fmt.Errorf("%s: attachment %d: %w", r.ItemID, i+1, err)
		}
		r.Attachments[i].File = path
		r.AttachmentFiles = append(r.AttachmentFiles, path)
	}
	return nil
}

// saveEmail fills email_as_attachment, unless the message was cut at the
// size limit: a cut .eml would pass for the message, so the record says
// why it is empty instead.
func saveEmail(r *Record, msg *mail.RawMessage) {
	if msg.Truncated {
		r.Capped = append(r.Capped, mail.Cap{What: "email_as_attachment",
			Reason: fmt.Sprintf("the message (%d bytes) is larger than max_message_bytes; it is not attached cut off", msg.Size)})
		return
	}
	r.EmailAsAttachment = base64.StdEncoding.EncodeToString(msg.Raw)
}

// attachmentFileName is a name of our own making: a digest of the item id
// (unique per message across folders and accounts), the attachment's
// position, and the sender's extension when it is short and plain — the
// sender's name and path are never used.
func attachmentFileName(itemID string, i int, senderName string) string {
	sum := sha256.Sum256([]byte(itemID))
	return fmt.Sprintf("%s-%02d%s", hex.EncodeToString(sum[:8]), i+1, plainExt(senderName))
}

// plainExt is ".ext" when the name ends in 1–8 ASCII letters or digits
// after a dot, else ".bin".
func plainExt(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return ".bin"
	}
	ext := strings.ToLower(name[i+1:])
	if len(ext) == 0 || len(ext) > 8 {
		return ".bin"
	}
	for _, c := range ext {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return ".bin"
		}
	}
	return "." + ext
}

// writePrivate writes data to path, mode 0600, through a temporary file
// renamed into place: a reader never sees half a file, and a symlink
// planted at path is replaced, not followed.
func writePrivate(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".pull-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o600)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
