package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cairnflags/cairn/publisher"
	"github.com/cairnflags/cairn/ruleset/envelope"
)

// Environment variables that may hold keys (or paths to key files) in
// place of the --sign-key and --encrypt-key flags, for CI secrets.
const (
	envSignKey    = "CAIRN_SIGN_KEY"
	envEncryptKey = "CAIRN_ENCRYPT_KEY"
)

type keysGenerateOptions struct {
	ID         string
	Out        string
	Encryption bool
	Force      bool
	Output     string
}

func newKeysCmd(e Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Make signing and encryption keys for published rulesets",
		Long: `Rulesets can be signed (Ed25519, in a DSSE envelope) so that SDKs accept
only what your publisher signed, and encrypted (AES-256-GCM, one key per
environment) so that a public CDN does not show your rules. See
docs/security.md for key handling and rotation.`,
	}
	cmd.AddCommand(newKeysGenerateCmd(e, nil))
	return cmd
}

func newKeysGenerateCmd(e Env, runF func(*keysGenerateOptions) error) *cobra.Command {
	opts := &keysGenerateOptions{}
	cmd := &cobra.Command{
		Use:   "generate [--id ID] [--out DIR] [--encryption]",
		Short: "Make an Ed25519 signing key pair, or an encryption key",
		Long: `Write a new Ed25519 key pair to DIR (default: the working directory):
ID.key, the private key (PEM, mode 0600: give it to the publisher only,
as --sign-key or CAIRN_SIGN_KEY), and ID.pub, the public key (give it to
SDKs with WithTrustedKeys and to cairn verify --key). ID defaults to the
first 16 hex digits of the public key's SHA-256.

With --encryption, write a random 32-byte AES-256 key as 64 hex digits to
ID.aes (mode 0600): give it to the publisher (--encrypt-key or
CAIRN_ENCRYPT_KEY) and to that environment's SDKs (WithDecryptionKey).

Existing files are never overwritten without --force.`,
		Example: `  cairn keys generate --id ci-2026 --out ~/.cairn
  cairn keys generate --encryption --id production-2026 --out ~/.cairn`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runKeysGenerate(opts, cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.ID, "id", "", "key id (default: derived from the key)")
	f.StringVar(&opts.Out, "out", ".", "directory to write the key files to")
	f.BoolVar(&opts.Encryption, "encryption", false, "make an AES-256 encryption key instead of a signing key pair")
	f.BoolVar(&opts.Force, "force", false, "overwrite existing key files")
	addOutputFlag(cmd, &opts.Output)
	return cmd
}

// keysResult is keys generate's output. It never holds secret material.
type keysResult struct {
	KeyID   string `json:"key_id"`
	Type    string `json:"type"`
	Private string `json:"private_key_file"`
	Public  string `json:"public_key_file,omitempty"`
}

func runKeysGenerate(opts *keysGenerateOptions, cmd *cobra.Command) error {
	if opts.ID != "" {
		if err := envelope.CheckKeyID(opts.ID); err != nil {
			return usagef("--id: %v", err)
		}
	}
	if err := os.MkdirAll(opts.Out, 0o700); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	var res keysResult
	if opts.Encryption {
		k, err := envelope.GenerateEncryptionKey()
		if err != nil {
			return err
		}
		text, err := k.MarshalText()
		if err != nil {
			return err
		}
		id := opts.ID
		if id == "" {
			id = k.ID()
		}
		res = keysResult{KeyID: k.ID(), Type: envelope.Algorithm, Private: filepath.Join(opts.Out, id+".aes")}
		if err := writeKeyFile(res.Private, append(text, '\n'), 0o600, opts.Force); err != nil {
			return err
		}
	} else {
		k, err := envelope.GenerateKey(opts.ID)
		if err != nil {
			return err
		}
		priv, err := envelope.MarshalPrivateKey(k)
		if err != nil {
			return err
		}
		pub, err := envelope.MarshalPublicKey(k.Public())
		if err != nil {
			return err
		}
		res = keysResult{KeyID: k.ID, Type: "ed25519", Private: filepath.Join(opts.Out, k.ID+".key"), Public: filepath.Join(opts.Out, k.ID+".pub")}
		if err := writeKeyFile(res.Private, priv, 0o600, opts.Force); err != nil {
			return err
		}
		if err := writeKeyFile(res.Public, pub, 0o644, opts.Force); err != nil {
			return err
		}
	}
	out := cmd.OutOrStdout()
	if opts.Output == formatJSON {
		return writeJSON(out, res)
	}
	fmt.Fprintf(out, "%s key %s\n  private: %s (keep it secret)\n", res.Type, res.KeyID, res.Private)
	if res.Public != "" {
		fmt.Fprintf(out, "  public:  %s\n", res.Public)
	}
	return nil
}

// writeKeyFile creates path with perm, refusing to replace a file unless
// force: a lost private key can't be recovered.
func writeKeyFile(path string, data []byte, perm fs.FileMode, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, perm)
	if errors.Is(err, fs.ErrExist) {
		return usagef("%s exists; pass --force to overwrite it", path)
	}
	if err != nil {
		return fmt.Errorf("write key: %w", err)
	}
	if err := f.Chmod(perm); err != nil { // O_TRUNC keeps an old mode
		f.Close()
		return fmt.Errorf("write key: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write key: %w", err)
	}
	return f.Close()
}

// keyFlags are --sign-key and --encrypt-key, on commands that publish.
type keyFlags struct {
	SignKey    string
	EncryptKey string
}

// addKeyFlags adds --sign-key and --encrypt-key to a command that
// publishes.
func addKeyFlags(cmd *cobra.Command, k *keyFlags) {
	cmd.Flags().StringVar(&k.SignKey, "sign-key", "", "sign what is published with this Ed25519 private key file (or set "+envSignKey+")")
	cmd.Flags().StringVar(&k.EncryptKey, "encrypt-key", "", "encrypt what is published with this AES-256 key file (or set "+envEncryptKey+")")
}

// keyOptions turns the key flags, else the environment variables, into
// publisher options. The variables may hold the key itself or a path to
// it; keys never come from flag files.
func keyOptions(e Env, k keyFlags) ([]publisher.Option, error) {
	var opts []publisher.Option
	if data, src, err := keyMaterial(e, k.SignKey, envSignKey); err != nil {
		return nil, err
	} else if data != nil {
		key, err := envelope.ParsePrivateKey(data)
		if err != nil {
			return nil, usagef("signing key from %s: %v", src, err)
		}
		opts = append(opts, publisher.WithSigner(key))
	}
	if data, src, err := keyMaterial(e, k.EncryptKey, envEncryptKey); err != nil {
		return nil, err
	} else if data != nil {
		key, err := envelope.ParseEncryptionKey(data)
		if err != nil {
			return nil, usagef("encryption key from %s: %v", src, err)
		}
		opts = append(opts, publisher.WithEncryptionKey("", key))
	}
	return opts, nil
}

// keyMaterial reads a key from the file a flag names, else from the
// environment variable (the key itself, or a path); nil when neither is
// set. It says where the key came from, never what it is.
func keyMaterial(e Env, flagPath, envName string) ([]byte, string, error) {
	if flagPath != "" {
		data, err := os.ReadFile(flagPath)
		if err != nil {
			return nil, "", usagef("key file: %v", err)
		}
		return data, flagPath, nil
	}
	v := strings.TrimSpace(e.Getenv(envName))
	switch {
	case v == "":
		return nil, "", nil
	case strings.HasPrefix(v, "-----BEGIN"):
		return []byte(v), envName, nil
	}
	if data, err := os.ReadFile(v); err == nil {
		return data, envName + " (a path)", nil
	} else if !errors.Is(err, fs.ErrNotExist) || filepath.IsAbs(v) || strings.ContainsRune(v, os.PathSeparator) {
		return nil, "", usagef("%s names a key file that can't be read: %v", envName, err)
	}
	return []byte(v), envName, nil
}
