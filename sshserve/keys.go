package sshserve

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/mailtriage/mailtriage/backend/remediate"
)

// LoadHostKey reads the server's private key from path, creating an
// ed25519 key there (mode 0600, OpenSSH format) on first start.
func LoadHostKey(path string) (ssh.Signer, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createHostKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	signer, err := ssh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	return signer, nil
}

func createHostKey(path string) (ssh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "mailtriage host key")
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	// O_EXCL: two servers starting at once must not overwrite each
	// other's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	if _, err := f.Write(pem.EncodeToMemory(block)); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	return ssh.NewSignerFromKey(priv)
}

// User gives a key a role: by its fingerprint (SHA256:…, as ssh-keygen -l
// prints it) or by the comment at the end of its authorized_keys line.
type User struct {
	Fingerprint string
	Comment     string
	Role        string
}

// identity is who an authenticated key is.
type identity struct {
	fingerprint string
	comment     string
	role        string
}

// authorizedKeys is the authorized_keys file, read again whenever its
// modification time or size changes, so keys can be added and revoked
// without a restart.
type authorizedKeys struct {
	path  string
	users []User

	mu    sync.Mutex
	mtime time.Time
	size  int64
	keys  map[string]identity // by the key's wire form
}

func newAuthorizedKeys(path string, users []User) (*authorizedKeys, error) {
	a := &authorizedKeys{path: path, users: users}
	if _, err := a.lookup(nil); err != nil {
		return nil, err
	}
	return a, nil
}

// lookup returns the identity of key (nil: only refresh).
func (a *authorizedKeys) lookup(key ssh.PublicKey) (identity, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	st, err := os.Stat(a.path)
	if err != nil {
		return identity{}, fmt.Errorf("authorized keys: %w", err)
	}
	if a.keys == nil || !st.ModTime().Equal(a.mtime) || st.Size() != a.size {
		keys, err := a.read()
		if err != nil {
			if a.keys == nil {
				return identity{}, err
			}
			// A file caught half-written keeps the last good set.
		} else {
			a.keys, a.mtime, a.size = keys, st.ModTime(), st.Size()
		}
	}
	if key == nil {
		return identity{}, nil
	}
	id, ok := a.keys[string(key.Marshal())]
	if !ok {
		return identity{}, errors.New("key not authorized")
	}
	return id, nil
}

func (a *authorizedKeys) read() (map[string]identity, error) {
	data, err := os.ReadFile(a.path)
	if err != nil {
		return nil, fmt.Errorf("authorized keys: %w", err)
	}
	keys := map[string]identity{}
	for line := 1; len(bytes.TrimSpace(data)) > 0; line++ {
		// ParseAuthorizedKey skips comments and blank lines itself and
		// returns the rest after the first key.
		pub, comment, _, rest, err := ssh.ParseAuthorizedKey(data)
		if err != nil {
			if len(keys) == 0 {
				return nil, fmt.Errorf("authorized keys %s: %w", a.path, err)
			}
			break
		}
		data = rest
		id := identity{fingerprint: ssh.FingerprintSHA256(pub), comment: comment, role: remediate.RoleViewer}
		id.role = a.roleOf(id)
		keys[string(pub.Marshal())] = id
	}
	return keys, nil
}

// roleOf finds the key's [[serve.users]] entry, by fingerprint before
// comment; a key without one is a viewer.
func (a *authorizedKeys) roleOf(id identity) string {
	for _, u := range a.users {
		if u.Fingerprint != "" && u.Fingerprint == id.fingerprint {
			return u.Role
		}
	}
	for _, u := range a.users {
		if u.Comment != "" && u.Comment == id.comment {
			return u.Role
		}
	}
	return remediate.RoleViewer
}
