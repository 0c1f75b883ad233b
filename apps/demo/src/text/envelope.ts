// Strings of the envelope encryption section (#envelope).
import { bilingual } from '../app/i18n.js'

const en = (n: number) => n.toLocaleString('en')
const ja = (n: number) => n.toLocaleString('ja')

export const envelopeText = bilingual(
  {
    lead: 'KMS does not encrypt your large data itself. It gives you a data key in two copies: one in plaintext to encrypt with, and one encrypted under the KMS key to store. The data is sealed by the data key, and the data key by the KMS key: that is envelope encryption.',

    // The six steps
    stepsTitle: 'The six steps of GenerateDataKey',
    stepsIntro:
      'Press Next step to run each step for real. The diagram shows where each piece is: the KMS key stays inside the HSM boundary (here, the worker); your application (this page) holds the data key for a moment; storage keeps only encrypted pieces.',
    dataLabel: 'The data to encrypt',
    dataDefault: 'Invoice 42: 1,200 USD, due 30 June',
    dataHint: 'Encrypted in step 3. Restart to change it.',
    contextLabel: 'Encryption context used in every call',
    next: 'Next step',
    back: 'Back',
    restart: 'Restart',
    backHint: 'Back shows an earlier step again. A wiped key stays wiped: Restart makes a new data key.',
    stepOf: (n: number, total: number) => `Step ${n} of ${total}`,
    diagramLabel: (where: string) => `Envelope encryption diagram, ${where}`,
    realCall: 'The real call',
    noCall: 'No call: the page overwrites its copy with zeros.',
    step0Title: 'Ready: only the KMS key exists',
    step0Body: 'The KMS key lives inside the HSM boundary and never leaves it, not even to KMS\u2019s own callers. Press Next step to ask KMS for a data key.',
    step1Title: 'Call GenerateDataKey on the KMS key',
    step1Body:
      'Your application names the KMS key (here by its alias), the kind of data key (KeySpec AES_256: 256 bits) and an encryption context. KMS checks the key policy, and IAM policies where the key policy lets them apply, before it does anything.',
    step2Title: 'KMS returns the plaintext data key and the encrypted data key',
    step2Body:
      'Inside the HSM boundary, KMS made a new random data key, encrypted it under the KMS key, and returned both copies: Plaintext (the data key itself) and CiphertextBlob (the same key encrypted, with the encryption context bound to it). The KMS key did not leave.',
    step3Title: 'Encrypt the data with the plaintext data key',
    step3Body:
      'In your application this is one AES-256-GCM call, outside KMS: the data is never sent to KMS. This page has no cryptography of its own, so here the AWS Encryption SDK in the worker does it (encryptMessage). It runs steps 1 to 5 in one call: it calls GenerateDataKey itself, with the same KMS key and encryption context, encrypts the data with that data key, forgets it, and writes its encrypted data key into the message header. So the message has a data key of its own, made and used inside the worker; the one from step 2 goes on to show you steps 4 to 6.',
    step4Title: 'Delete (forget) the plaintext data key',
    step4Body:
      'As soon as the data is encrypted, remove the plaintext data key from memory: whoever reads it can decrypt the data. The page has overwritten every byte of its copy with zeros; the SDK in the worker has dropped its own.',
    step5Title: 'Store the encrypted data key with the encrypted data',
    step5Body:
      'Keep the two together, for example in the same database row or object. Neither gives the data away: the encrypted data key opens only through KMS Decrypt, which the key policy controls and the audit trail records. An AWS Encryption SDK message already is such a pair: its header carries the encrypted data key.',
    step6Title: 'Decrypt: send only the encrypted data key to KMS',
    step6Body:
      'Decrypt receives the encrypted data key and the same encryption context. The ciphertext names its KMS key, so KMS finds it, decrypts inside the HSM boundary and returns the plaintext data key; the application decrypts the data with it and forgets the key again. decryptMessage does the same with the key in the message header and returns the data.',
    stepsDone: 'All six steps done. Restart to run them again with a new data key.',

    // Diagram labels (short: they are drawn in boxes)
    dHsm: 'HSM boundary (worker)',
    dKmsKey: 'KMS key A',
    dNeverLeaves: 'never leaves',
    dApp: 'Your application (this page)',
    dPlainKey: 'Plaintext data key',
    dEncKey: 'Encrypted data key',
    dData: 'Data',
    dCipher: 'Encrypted data',
    dStorage: 'Storage',
    dWiped: 'wiped: all zeros',
    dFromDecrypt: 'back from Decrypt',
    dEncrypt: 'encrypt',
    dStore: 'store',
    dSize: (n: number) => `${en(n)} bytes`,

    // Byte views
    bPlainKey: 'Plaintext data key (Plaintext)',
    bEncKey: 'Encrypted data key (CiphertextBlob)',
    bData: 'Data (UTF-8)',
    bMessage: 'Encrypted data: an AWS Encryption SDK message',
    bHeaderKey: 'Its encrypted data key, from the message header (encryptedDataKeys[0])',
    bDecryptedKey: 'Plaintext data key returned by Decrypt',
    bStoredKey: 'Stored: the encrypted data key',
    bStoredData: 'Stored: the encrypted data',
    keyArn: 'KMS key ARN',
    wipedNote: 'Every byte is now 0: the page no longer holds the data key.',
    decryptedData: (s: string) => `decryptMessage returned the data: \u201c${s}\u201d`,
    edkInSnippet: '<the encrypted data key>',
    returnedKeyNote: 'Your application would use this key once and forget it again.',

    whyTitle: 'Why envelope encryption',
    why1: 'Any size: KMS Encrypt takes at most 4 KB, a data key encrypts gigabytes.',
    why2: 'Fast: the data is encrypted where it is, with one KMS call per data key instead of sending the data to KMS.',
    why3: 'The KMS key never leaves the HSMs; only data keys travel, and only the encrypted copy is stored.',
    why4: 'Re-keying is cheap: ReEncrypt changes the small encrypted data key, not the data.',
    factNow: 'The key GenerateDataKey returns is called a data key. Delete the plaintext data key as soon as the data is encrypted; the AWS Encryption SDK does all six steps for you.',
    factOld:
      'One text calls it a customer data key (CDK), and its step 5 deletes "the plaintext CDK and the data before encryption": deleting your plaintext data is your choice, deleting the plaintext data key is the rule.',

    // The 4 KB limit
    limitTitle: 'The 4 KB limit of KMS Encrypt',
    limitIntro:
      'KMS Encrypt takes at most 4,096 bytes of plaintext: it is meant for small secrets such as passwords and for data keys. The limit counts bytes, not characters: in UTF-8 an English letter is 1 byte and a kana or kanji 3 bytes, so 1,366 kana are 4,098 bytes, two too many.',
    limitLabel: 'Text to encrypt',
    counter: (n: number) => `${en(n)} / 4,096 bytes`,
    overLimit: 'over the limit',
    withinLimit: 'within the limit',
    fillKana: 'Fill with 1,366 kana',
    fill1mb: 'Fill with 1 MB of text',
    kmsEncrypt: 'KMS Encrypt',
    envelopeEncrypt: 'Envelope encrypt (any size)',
    limitDefault: 'The database password is hunter2',
    filler: 'Envelope encryption handles data of any size. ',
    kmsAccepted: (n: number) => `KMS Encrypt accepted ${en(n)} bytes.`,
    kmsRefused: (n: number) => `KMS refused ${en(n)} bytes: Encrypt takes at most 4,096 bytes of plaintext. Envelope encryption has no such limit: try the other button.`,
    envelopeDone: (n: number, m: number) => `Envelope encryption took ${en(n)} bytes (the message is ${en(m)} bytes) and decryptMessage gave the same ${en(n)} bytes back.`,
    envelopeDiffers: 'The decrypted text differs from the original.',

    // ReEncrypt
    reTitle: 'ReEncrypt: move the data key under another KMS key',
    reIntro:
      'ReEncrypt decrypts a ciphertext under one KMS key and encrypts it under another, inside KMS: the plaintext never comes out. With envelope encryption you re-key only the small encrypted data key; the encrypted data, however large, is not touched.',
    reUses: 'It uses the data key of the message from the six steps (a new message is made if you have not reached step 3).',
    reButton: 'ReEncrypt the data key under key B',
    reBefore: 'Before: under key A',
    reAfter: 'After: under key B',
    reEdkA: 'Encrypted data key under key A',
    reEdkB: 'Encrypted data key under key B',
    reData: 'Encrypted data',
    reUnchanged: 'unchanged, the same bytes',
    reResponse: (fields: string) => `The ReEncrypt response has ${fields}: no Plaintext. The data key was decrypted and encrypted again inside KMS.`,
    reUnderB: 'Decrypt of the new encrypted data key used key B:',
    reSameKey: 'Decrypt under key A and under key B return the same data key (compared in the page, then both wiped), so the unchanged data still opens.',
    reNote:
      'An application that stores its own encrypted data key next to the data replaces it this way. An AWS Encryption SDK message keeps its encrypted data keys in its authenticated header, so to let a second KMS key open such messages you name both keys when you encrypt.',

    // Encryption context
    ctxTitle: 'The encryption context',
    ctxIntro:
      'An encryption context is a set of key\u2013value pairs that KMS binds to the ciphertext as additional authenticated data: Decrypt succeeds only with exactly the same pairs. It is not secret: the AWS Encryption SDK stores it in the message header and the audit trail records it in plain text. Use it to say what the data is (tenant, record, purpose), never for secrets.',
    ctxSecret: 'The vault code is 4711',
    ctxMade: (n: number) => `KMS Encrypt made a ${en(n)}-byte ciphertext of a short secret, with this encryption context:`,
    ctxValueLabel: 'Value of "record" sent with Decrypt',
    ctxDecrypt: 'Decrypt with this context',
    ctxWrong: 'Try a wrong value',
    ctxTamper: 'Tamper with one byte instead',
    ctxOk: (s: string) => `Decrypted: \u201c${s}\u201d`,
    ctxRefused: 'Refused with the same opaque error a tampered ciphertext gets: KMS does not say which part was wrong, and releases nothing.',
    ctxAudit: 'The audit trail recorded this Decrypt with its encryption context, in plain text:',
    ctxFactNow:
      'Key policies and grants can require an encryption context (condition keys kms:EncryptionContext:<key> and kms:EncryptionContextKeys, grant constraints), so a caller may use a key only for the data it names: that is why it belongs to least privilege.',
    ctxFactOld: 'The study notes list "Encryption Context" under least privilege and separation of duties without saying what it does.',
  },
  {
    lead: 'KMS は大きなデータを自分では暗号化しません。データキーを 2 つの形で渡します。暗号化に使う平文のデータキーと、KMS キーで暗号化して保存するための暗号化されたデータキーです。データはデータキーで、データキーは KMS キーで封をする。これがエンベロープ暗号化です。',

    stepsTitle: 'GenerateDataKey の 6 つのステップ',
    stepsIntro:
      '「次のステップ」を押すと、各ステップを本物の呼び出しで実行します。図は各要素の場所を示します。KMS キーは HSM の境界 (ここではワーカー) の中にとどまり、アプリケーション (このページ) はデータキーを一時的に持つだけで、ストレージには暗号化されたものだけが保存されます。',
    dataLabel: '暗号化するデータ',
    dataDefault: '請求書 42: 1,200 USD、6 月 30 日支払期限',
    dataHint: 'ステップ 3 で暗号化されます。変更するには「最初から」を押します。',
    contextLabel: 'すべての呼び出しで使う暗号化コンテキスト',
    next: '次のステップ',
    back: '戻る',
    restart: '最初から',
    backHint: '「戻る」は前のステップをもう一度表示します。消去したキーは消去されたままです。新しいデータキーを作るには「最初から」を押します。',
    stepOf: (n: number, total: number) => `ステップ ${n} / ${total}`,
    diagramLabel: (where: string) => `エンベロープ暗号化の図、${where}`,
    realCall: '実際の呼び出し',
    noCall: '呼び出しはありません。ページが自分のコピーをゼロで上書きします。',
    step0Title: '準備完了: あるのは KMS キーだけ',
    step0Body: 'KMS キーは HSM の境界の中にあり、外に出ることはありません。KMS を呼び出す側にも渡されません。「次のステップ」を押して、KMS にデータキーを求めます。',
    step1Title: 'KMS キーを指定して GenerateDataKey を呼び出す',
    step1Body:
      'アプリケーションは KMS キー (ここではエイリアスで指定)、データキーの種類 (KeySpec AES_256: 256 ビット)、暗号化コンテキストを指定します。KMS は何かをする前に、キーポリシーと、キーポリシーが適用を認めている場合は IAM ポリシーを確認します。',
    step2Title: 'KMS が平文のデータキーと暗号化されたデータキーを返す',
    step2Body:
      'HSM の境界の中で、KMS は新しいランダムなデータキーを作り、KMS キーで暗号化して、両方を返しました。Plaintext (データキーそのもの) と CiphertextBlob (同じキーを暗号化したもので、暗号化コンテキストが結び付けられています) です。KMS キーは外に出ていません。',
    step3Title: '平文のデータキーでデータを暗号化する',
    step3Body:
      'アプリケーションでは、KMS の外で行う AES-256-GCM の呼び出し 1 回です。データが KMS に送られることはありません。このページは暗号処理を一切行わないため、ここではワーカーの中の AWS Encryption SDK が行います (encryptMessage)。SDK はステップ 1〜5 を 1 回の呼び出しで実行します。同じ KMS キーと暗号化コンテキストで自ら GenerateDataKey を呼び出し、そのデータキーでデータを暗号化し、キーを忘れ、暗号化されたデータキーをメッセージのヘッダーに書き込みます。つまりメッセージには、ワーカーの中で作られ使われた独自のデータキーがあります。ステップ 2 のデータキーは、ステップ 4〜6 を見せるために使います。',
    step4Title: '平文のデータキーを削除する (忘れる)',
    step4Body:
      'データを暗号化したら、すぐに平文のデータキーをメモリから消します。それを読めた人はデータを復号できるからです。ページは自分のコピーの全バイトをゼロで上書きしました。ワーカーの SDK も自分のコピーを捨てています。',
    step5Title: '暗号化されたデータキーを暗号化されたデータと一緒に保存する',
    step5Body:
      '2 つを一緒に保管します (同じデータベースの行やオブジェクトなど)。どちらもデータを明かしません。暗号化されたデータキーは KMS の Decrypt を通してしか開けず、Decrypt はキーポリシーで制御され、監査証跡に記録されます。AWS Encryption SDK のメッセージはそれ自体がこの組で、ヘッダーに暗号化されたデータキーが入っています。',
    step6Title: '復号: 暗号化されたデータキーだけを KMS に送る',
    step6Body:
      'Decrypt は暗号化されたデータキーと同じ暗号化コンテキストを受け取ります。暗号文には KMS キーが記されているので、KMS はそのキーを見つけて HSM の境界の中で復号し、平文のデータキーを返します。アプリケーションはそれでデータを復号し、再びキーを忘れます。decryptMessage は、メッセージのヘッダーにあるキーで同じことをしてデータを返します。',
    stepsDone: '6 つのステップがすべて終わりました。新しいデータキーでもう一度行うには「最初から」を押します。',

    dHsm: 'HSM の境界 (ワーカー)',
    dKmsKey: 'KMS キー A',
    dNeverLeaves: '外に出ない',
    dApp: 'アプリケーション (このページ)',
    dPlainKey: '平文のデータキー',
    dEncKey: '暗号化されたデータキー',
    dData: 'データ',
    dCipher: '暗号化されたデータ',
    dStorage: 'ストレージ',
    dWiped: '消去済み: すべてゼロ',
    dFromDecrypt: 'Decrypt から返された',
    dEncrypt: '暗号化',
    dStore: '保存',
    dSize: (n: number) => `${ja(n)} バイト`,

    bPlainKey: '平文のデータキー (Plaintext)',
    bEncKey: '暗号化されたデータキー (CiphertextBlob)',
    bData: 'データ (UTF-8)',
    bMessage: '暗号化されたデータ: AWS Encryption SDK のメッセージ',
    bHeaderKey: 'メッセージのヘッダーにある暗号化されたデータキー (encryptedDataKeys[0])',
    bDecryptedKey: 'Decrypt が返した平文のデータキー',
    bStoredKey: '保存: 暗号化されたデータキー',
    bStoredData: '保存: 暗号化されたデータ',
    keyArn: 'KMS キーの ARN',
    wipedNote: 'すべてのバイトが 0 になりました。ページはもうデータキーを持っていません。',
    decryptedData: (s: string) => `decryptMessage が返したデータ:「${s}」`,
    edkInSnippet: '<暗号化されたデータキー>',
    returnedKeyNote: 'アプリケーションはこのキーを一度だけ使い、また忘れます。',

    whyTitle: 'エンベロープ暗号化を使う理由',
    why1: 'サイズを問わない: KMS の Encrypt は最大 4KB ですが、データキーならギガバイト単位でも暗号化できます。',
    why2: '速い: データを KMS に送らず、その場で暗号化します。KMS の呼び出しはデータキー 1 つにつき 1 回です。',
    why3: 'KMS キーは HSM の外に出ません。やり取りされるのはデータキーだけで、保存されるのは暗号化されたコピーだけです。',
    why4: '再暗号化が安い: ReEncrypt で変えるのは小さな暗号化されたデータキーで、データはそのままです。',
    factNow: 'GenerateDataKey が返すキーは「データキー」と呼ばれます。データを暗号化したら、平文のデータキーはすぐに削除します。AWS Encryption SDK は 6 つのステップをすべて代わりに行います。',
    factOld:
      'ある資料はこれをカスタマーデータキー (CDK) と呼び、ステップ 5 で「プレーン CDK と暗号化前のデータを削除する」としています。平文のデータを消すかどうかは利用者の判断で、必ず消すのは平文のデータキーです。',

    limitTitle: 'KMS Encrypt の 4KB の上限',
    limitIntro:
      'KMS の Encrypt が受け付ける平文は最大 4,096 バイトです。パスワードのような小さな秘密とデータキーのためのものです。上限は文字数ではなくバイト数で数えます。UTF-8 では英字は 1 バイト、かなや漢字は 3 バイトなので、かな 1,366 文字は 4,098 バイトになり、2 バイト多すぎます。',
    limitLabel: '暗号化するテキスト',
    counter: (n: number) => `${ja(n)} / 4,096 バイト`,
    overLimit: '上限を超えています',
    withinLimit: '上限以内です',
    fillKana: 'かな 1,366 文字で埋める',
    fill1mb: '1 MB のテキストで埋める',
    kmsEncrypt: 'KMS Encrypt',
    envelopeEncrypt: 'エンベロープ暗号化 (サイズ無制限)',
    limitDefault: 'データベースのパスワードは hunter2 です',
    filler: 'エンベロープ暗号化はどんなサイズのデータでも扱えます。',
    kmsAccepted: (n: number) => `KMS の Encrypt は ${ja(n)} バイトを受け付けました。`,
    kmsRefused: (n: number) => `KMS は ${ja(n)} バイトを拒否しました。Encrypt が受け付ける平文は最大 4,096 バイトです。エンベロープ暗号化にはこの上限がありません。もう一方のボタンを試してください。`,
    envelopeDone: (n: number, m: number) => `エンベロープ暗号化で ${ja(n)} バイトを暗号化し (メッセージは ${ja(m)} バイト)、decryptMessage で同じ ${ja(n)} バイトが戻りました。`,
    envelopeDiffers: '復号したテキストが元のテキストと異なります。',

    reTitle: 'ReEncrypt: データキーを別の KMS キーの下に移す',
    reIntro:
      'ReEncrypt は、ある KMS キーで暗号化された暗号文を復号し、別の KMS キーで暗号化し直します。すべて KMS の中で行われ、平文は外に出ません。エンベロープ暗号化では、小さな暗号化されたデータキーだけを再暗号化すればよく、暗号化されたデータはどれほど大きくても触れずに済みます。',
    reUses: '6 つのステップで作ったメッセージのデータキーを使います (ステップ 3 まで進んでいなければ新しいメッセージを作ります)。',
    reButton: 'データキーをキー B で再暗号化する',
    reBefore: '前: キー A の下',
    reAfter: '後: キー B の下',
    reEdkA: 'キー A で暗号化されたデータキー',
    reEdkB: 'キー B で暗号化されたデータキー',
    reData: '暗号化されたデータ',
    reUnchanged: '変化なし、同じバイト列',
    reResponse: (fields: string) => `ReEncrypt の応答に含まれるのは ${fields} で、Plaintext はありません。データキーは KMS の中で復号され、暗号化し直されました。`,
    reUnderB: '新しい暗号化されたデータキーの Decrypt にはキー B が使われました:',
    reSameKey: 'キー A での Decrypt とキー B での Decrypt は同じデータキーを返します (ページで比較し、その後どちらも消去)。だから変わっていないデータはそのまま開けます。',
    reNote:
      '暗号化されたデータキーをデータの隣に自分で保存するアプリケーションは、このように置き換えます。AWS Encryption SDK のメッセージは暗号化されたデータキーを認証されたヘッダーに持つため、2 つ目の KMS キーでも開けるようにするには、暗号化するときに両方のキーを指定します。',

    ctxTitle: '暗号化コンテキスト',
    ctxIntro:
      '暗号化コンテキストは、KMS が追加認証データとして暗号文に結び付けるキーと値の組です。Decrypt はまったく同じ組を渡したときだけ成功します。秘密ではありません。AWS Encryption SDK はメッセージのヘッダーに保存し、監査証跡は平文のまま記録します。データが何であるか (テナント、レコード、用途) を示すために使い、秘密には使いません。',
    ctxSecret: '金庫の番号は 4711',
    ctxMade: (n: number) => `KMS の Encrypt で短い秘密を暗号化し、${ja(n)} バイトの暗号文を作りました。暗号化コンテキストは次のとおりです:`,
    ctxValueLabel: 'Decrypt に渡す "record" の値',
    ctxDecrypt: 'このコンテキストで復号する',
    ctxWrong: '誤った値を試す',
    ctxTamper: '代わりに 1 バイト改ざんする',
    ctxOk: (s: string) => `復号しました:「${s}」`,
    ctxRefused: '改ざんされた暗号文と同じ、中身を明かさないエラーで拒否されました。KMS はどこが誤っていたかを言わず、何も返しません。',
    ctxAudit: '監査証跡は、この Decrypt を暗号化コンテキストとともに平文で記録しました:',
    ctxFactNow:
      'キーポリシーや許可 (グラント) で暗号化コンテキストを必須にできます (条件キー kms:EncryptionContext:<キー> と kms:EncryptionContextKeys、グラントの制約)。呼び出し元は、そのコンテキストが示すデータにだけキーを使えます。これが最小権限に含まれる理由です。',
    ctxFactOld: '学習ノートは「Encryption Context」を最小権限と権限の分離の項目に挙げていますが、何をするものかは説明していません。',
  },
)
