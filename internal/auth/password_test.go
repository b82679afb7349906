package auth

import (
	"errors"
	"strings"
	"testing"
)

// cheap keeps the tests fast; verification reads the parameters back from
// the hash, so nothing else changes.
var cheap = Hasher{Memory: 256, Time: 1, Threads: 1}

const goodPassword = "correct horse battery staple"

func TestHashAndVerify(t *testing.T) {
	h, err := cheap.Hash(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, goodPassword) {
		t.Fatal("hash contains the password")
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=256,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string with our parameters", h)
	}
	if _, err := parsePHC(h); err != nil {
		t.Fatalf("own hash does not parse: %v", err)
	}
	t.Run("OK", func(t *testing.T) {
		ok, err := VerifyPassword(h, goodPassword)
		if err != nil || !ok {
			t.Fatalf("VerifyPassword(right) = %v, %v", ok, err)
		}
	})
	t.Run("Wrong", func(t *testing.T) {
		for _, pw := range []string{"correct horse battery stapl", "Correct horse battery staple", "", strings.Repeat("x", MaxPasswordLen+1)} {
			ok, err := VerifyPassword(h, pw)
			if err != nil || ok {
				t.Errorf("VerifyPassword(%.20q) = %v, %v; want false, nil", pw, ok, err)
			}
		}
	})
	t.Run("SaltIsRandom", func(t *testing.T) {
		h2, err := cheap.Hash(goodPassword)
		if err != nil {
			t.Fatal(err)
		}
		if h2 == h {
			t.Fatal("two hashes of one password are equal")
		}
	})
}

func TestPasswordPolicy(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		weak bool
	}{
		{"ErrEmpty", "", true},
		{"ErrEleven", "abcdefghijk", true},
		{"Twelve", "abcdefghijkl", false},
		{"TwelveRunes", "ééééééééééé€", false},  // 12 characters, 25 bytes
		{"ErrElevenRunes", "éééééééééé€", true}, // 22 bytes but 11 characters
		{"Max", strings.Repeat("a", MaxPasswordLen), false},
		{"ErrTooLong", strings.Repeat("a", MaxPasswordLen+1), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cheap.Hash(tt.pw)
			if tt.weak != errors.Is(err, ErrWeakPassword) {
				t.Fatalf("Hash: err = %v, want weak=%v", err, tt.weak)
			}
			if !tt.weak && err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestHasherRejectsBadParams(t *testing.T) {
	for _, h := range []Hasher{{}, {Memory: 256, Time: 0, Threads: 1}, {Memory: 256, Time: 1, Threads: 0}, {Memory: 4, Time: 1, Threads: 1}, {Memory: 1 << 30, Time: 1, Threads: 1}} {
		if _, err := h.Hash(goodPassword); err == nil {
			t.Errorf("Hasher%+v.Hash succeeded", h)
		}
		h.SpendVerifyTime(goodPassword) // must not panic
	}
}

func TestVerifyHostileHashes(t *testing.T) {
	good, err := cheap.Hash(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	hostile := []string{
		"",
		"$",
		"$$$$$",
		"$$$$$$$$$$",
		"plaintext password",
		"$argon2i$v=19$m=256,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=16$m=256,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=256,t=1,p=1$" + salt,
		"$argon2id$v=19$m=256,t=1,p=1$" + salt + "$" + key + "$",
		"x$argon2id$v=19$m=256,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$t=1,m=256,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=256,t=1$" + salt + "$" + key,
		"$argon2id$v=19$m=256,t=1,p=1,k=2$" + salt + "$" + key,
		"$argon2id$v=19$m=256,t=0,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=256,t=1,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=256,t=1,p=256$" + salt + "$" + key,
		"$argon2id$v=19$m=256,t=1,p=65537$" + salt + "$" + key,
		"$argon2id$v=19$m=0,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=99999999999999999999,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=-1,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=256,t=4294967295,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=+256,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=256,t=1,p=1$$" + key,
		"$argon2id$v=19$m=256,t=1,p=1$" + salt + "$",
		"$argon2id$v=19$m=256,t=1,p=1$!!!!$" + key,
		"$argon2id$v=19$m=256,t=1,p=1$" + salt + "$" + key + "==",
		"$argon2id$v=19$m=256,t=1,p=1$" + salt + "$" + strings.Repeat("A", 10000),
		"$argon2id$v=19$m=256,t=1,p=1$AAAA$" + key,
		"$argon2id$v=19$m=256,t=1,p=1$" + salt + "$AAAA",
		"$argon2id$v=19$m=256,t=1,p=1$" + salt + "$" + key + "\x00",
		"$argon2id$v=19$m=256,t=1,p=1$" + salt + "$\xff\xfe" + key,
	}
	for i, h := range hostile {
		ok, err := VerifyPassword(h, goodPassword)
		if ok {
			t.Errorf("hostile hash %d %.60q verified", i, h)
		}
		if !errors.Is(err, ErrMalformedHash) {
			t.Errorf("hostile hash %d %.60q: err = %v, want ErrMalformedHash", i, h, err)
		}
	}
}

// FuzzVerifyPassword checks that no stored hash, however broken, panics.
func FuzzVerifyPassword(f *testing.F) {
	good, err := cheap.Hash(goodPassword)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("$argon2id$v=19$m=256,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, h string) {
		p, err := parsePHC(h)
		if err != nil {
			return
		}
		if p.h.Memory > 4096 || p.h.Time > 2 { // keep the fuzzer fast
			return
		}
		_, _ = VerifyPassword(h, goodPassword)
	})
}

// BenchmarkHashPasswordDefault measures the production cost; DefaultHasher
// is tuned so this reports roughly 50–150 ms/op on the two-core server
// (about 71 ms idle with m=64 MiB, t=3, p=2).
func BenchmarkHashPasswordDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HashPassword(goodPassword); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPasswordDefault(b *testing.B) {
	h, err := HashPassword(goodPassword)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := VerifyPassword(h, goodPassword); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
