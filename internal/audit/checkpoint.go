package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// Head is the newest event of a chain, the one whose hash covers all the
// others: what a checkpoint anchors and a certificate prints.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Checkpoint is a chain head kept outside the database: a file beside
// moudesk's signing keys, authenticated with HMAC-SHA256 under a key kept
// with them (0600), so SQL on the events table can neither delete its tail
// unnoticed nor rewrite the checkpoint to match. It is not a signature a
// third party can check; certificates of completion, which are sealed and
// handed to the parties, print the head for that.
type Checkpoint struct {
	Head
	Time time.Time // when it was written
}

// checkpointFile is the file's JSON form.
type checkpointFile struct {
	Version int    `json:"version"`
	Seq     int64  `json:"seq"`
	Hash    string `json:"hash"`
	Time    string `json:"time"`
	MAC     string `json:"mac"` // hex HMAC-SHA256 of macInput
}

// ErrCheckpointInvalid is a checkpoint file that does not parse or whose
// MAC does not match: written by someone without the key, or damaged.
var ErrCheckpointInvalid = errors.New("audit checkpoint is not valid")

// checkpointKeyLen is the HMAC key length in bytes.
const checkpointKeyLen = 32

func macInput(seq int64, hash, t string) []byte {
	return []byte("moudesk audit checkpoint v1\n" + strconv.FormatInt(seq, 10) + "\n" + hash + "\n" + t + "\n")
}

func checkpointMAC(key []byte, seq int64, hash, t string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(macInput(seq, hash, t))
	return m.Sum(nil)
}

// LoadCheckpointKey reads the HMAC key at path, creating it (0600, 32
// random bytes in hex) when it does not exist yet and create is set.
func LoadCheckpointKey(path string, create bool) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && create {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("audit checkpoint key: %w", err)
		}
		key := make([]byte, checkpointKeyLen)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("audit checkpoint key: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return LoadCheckpointKey(path, false) // another process made it first
		}
		if err != nil {
			return nil, fmt.Errorf("audit checkpoint key: %w", err)
		}
		_, err = f.WriteString(hex.EncodeToString(key) + "\n")
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("audit checkpoint key: %w", err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint key: %w", err)
	}
	key, err := hex.DecodeString(string(bytes.TrimSpace(data)))
	if err != nil || len(key) != checkpointKeyLen {
		return nil, fmt.Errorf("audit checkpoint key %s: not %d bytes in hex", path, checkpointKeyLen)
	}
	return key, nil
}

// WriteCheckpoint replaces the checkpoint at path with cp: written to a
// temporary file, synced, then renamed over the old one, so a crash
// leaves the old checkpoint or the new, never half of one. The file is
// 0600.
func WriteCheckpoint(path string, key []byte, cp Checkpoint) error {
	if _, err := decodeHash(cp.Hash); err != nil || cp.Seq < 1 {
		return fmt.Errorf("audit checkpoint: head %d %q is not an event", cp.Seq, cp.Hash)
	}
	t := cp.Time.UTC().Format(time.RFC3339Nano)
	data, err := json.Marshal(checkpointFile{Version: 1, Seq: cp.Seq, Hash: cp.Hash, Time: t,
		MAC: hex.EncodeToString(checkpointMAC(key, cp.Seq, cp.Hash, t))})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("audit checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	_, err = tmp.Write(append(data, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("audit checkpoint: %w", err)
	}
	return nil
}

// ReadCheckpoint reads and authenticates the checkpoint at path. A missing
// file is an error wrapping os.ErrNotExist; one that does not parse or
// whose MAC is wrong wraps ErrCheckpointInvalid.
func ReadCheckpoint(path string, key []byte) (Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit checkpoint: %w", err)
	}
	var f checkpointFile
	if err := json.Unmarshal(data, &f); err != nil || f.Version != 1 {
		return Checkpoint{}, fmt.Errorf("%w: %s does not parse", ErrCheckpointInvalid, path)
	}
	mac, err := hex.DecodeString(f.MAC)
	if err != nil || !hmac.Equal(mac, checkpointMAC(key, f.Seq, f.Hash, f.Time)) {
		return Checkpoint{}, fmt.Errorf("%w: the MAC of %s does not match its contents", ErrCheckpointInvalid, path)
	}
	t, err := time.Parse(time.RFC3339Nano, f.Time)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %s has a bad time", ErrCheckpointInvalid, path)
	}
	if _, err := decodeHash(f.Hash); err != nil || f.Seq < 1 {
		return Checkpoint{}, fmt.Errorf("%w: %s names no event", ErrCheckpointInvalid, path)
	}
	return Checkpoint{Head: Head{Seq: f.Seq, Hash: f.Hash}, Time: t}, nil
}

// Markdown is how documents print a head: "event 12 with hash `3f…`".
// FindHeads finds it again in the text extracted from them.
func (h Head) Markdown() string {
	return fmt.Sprintf("event %d with hash `%s`", h.Seq, h.Hash)
}

// headRE compiles on first use, not in the init every command runs.
var headRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile("event\\s+(\\d+)\\s+with\\s+hash\\s+`?([0-9a-f]{64})")
})

// FindHeads returns every head printed by Markdown in text, such as a
// certificate of completion's words as pdftotext gives them.
func FindHeads(text string) []Head {
	var out []Head
	for _, m := range headRE().FindAllStringSubmatch(text, -1) {
		seq, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil && seq > 0 {
			out = append(out, Head{Seq: seq, Hash: m[2]})
		}
	}
	return out
}
