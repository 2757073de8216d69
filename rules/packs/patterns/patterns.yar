/*
  Qarina starter pack "patterns": shapes of travel documents, phone numbers, bank accounts,
  money-transfer references and crypto-currency addresses seen in smuggling and trafficking
  cases on the Central Mediterranean route.

  A STARTING POINT, to be reviewed and extended by local investigators. False positives are
  expected: these rules match shapes only. No check digit or checksum is verified here (MRZ
  check digits, IBAN mod-97, base58check, bech32); Qarina's identifier extraction validates
  what it reports as entities.

  Every string is "ascii wide": it matches ASCII/UTF-8 text and UTF-16LE text (Android and
  Windows databases, Office documents). UTF-16BE text is not covered. Where a context word is
  required, the match (and its offset) starts at the context word. Context words are fixed
  literals so that YARA gets good atoms and the rules stay fast.
*/

rule passport_mrz_td3
{
    meta:
        description = "Passport machine-readable zone, ICAO 9303 TD3: two lines of 44 characters"
        category = "identity_document"
    strings:
        // Ordinary passports: document code "P<"; the 39-character name field may be full.
        $ordinary = /P<[A-Z][A-Z<]{2}[A-Z<]{39}\r?\n[A-Z0-9<]{9}[0-9][A-Z][A-Z<]{2}[0-9]{7}[MFX<][0-9]{7}[A-Z0-9<]{14}[0-9<][0-9]/ ascii wide
        // Other passport types (PD, PO, PS ...): anchored on the "<<" filler that ends line 1.
        $typed = /P[A-Z][A-Z][A-Z<]{2}[A-Z<]{37}<<\r?\n[A-Z0-9<]{9}[0-9][A-Z][A-Z<]{2}[0-9]{7}[MFX<][0-9]{7}[A-Z0-9<]{14}[0-9<][0-9]/ ascii wide
    condition:
        any of them
}

rule phone_libya
{
    meta:
        description = "Libyan mobile number with country code: +218 or 00218, 9[1-6], 7 digits"
        category = "phone"
    strings:
        $number = /(\+|\b00)218[ \-]?9[1-6][0-9]{7}\b/ ascii wide
    condition:
        $number
}

rule phone_tunisia
{
    meta:
        description = "Tunisian mobile number with country code: +216 or 00216, 8 digits from 2, 3, 4, 5 or 9"
        category = "phone"
    strings:
        $number = /(\+|\b00)216[ \-]?[2-59][0-9]{7}\b/ ascii wide
    condition:
        $number
}

rule phone_egypt
{
    meta:
        description = "Egyptian mobile number with country code: +20 or 0020, 10/11/12/15, 8 digits"
        category = "phone"
    strings:
        $number = /(\+|\b00)20[ \-]?1[0125][0-9]{8}\b/ ascii wide
    condition:
        $number
}

rule phone_morocco
{
    meta:
        description = "Moroccan mobile number with country code: +212 or 00212, 6 or 7, 8 digits"
        category = "phone"
    strings:
        $number = /(\+|\b00)212[ \-]?[67][0-9]{8}\b/ ascii wide
    condition:
        $number
}

rule iban_libya
{
    meta:
        description = "Libyan IBAN shape: LY, 2 check digits, 21 digits (25 characters), plain or in groups of 4"
        category = "bank_account"
    strings:
        $iban = /\bLY[0-9]{2}( ?[0-9]{4}){5} ?[0-9]\b/ ascii wide
    condition:
        $iban
}

rule iban_tunisia
{
    meta:
        description = "Tunisian IBAN shape: TN59 and 20 digits (24 characters), plain or in groups of 4"
        category = "bank_account"
    strings:
        $iban = /\bTN59( ?[0-9]{4}){5}\b/ ascii wide
    condition:
        $iban
}

rule iban_egypt
{
    meta:
        description = "Egyptian IBAN shape: EG, 2 check digits, 25 digits (29 characters), plain or in groups of 4"
        category = "bank_account"
    strings:
        $iban = /\bEG[0-9]{2}( ?[0-9]{4}){6} ?[0-9]\b/ ascii wide
    condition:
        $iban
}

rule iban_morocco
{
    meta:
        description = "Moroccan IBAN shape: MA, 2 check digits, 24 digits (28 characters), plain or in groups of 4"
        category = "bank_account"
    strings:
        $iban = /\bMA[0-9]{2}( ?[0-9]{4}){6}\b/ ascii wide
    condition:
        $iban
}

rule western_union_mtcn
{
    meta:
        description = "Western Union MTCN: the word MTCN followed by 10 digits (plain, or 3-3-4 with spaces or dashes)"
        category = "money_transfer"
    strings:
        $mtcn = /\bmtcn( ?(no|number|#))?[ .:#\-]{0,3}[0-9]{3}[ \-]?[0-9]{3}[ \-]?[0-9]{4}\b/ nocase ascii wide
    condition:
        $mtcn
}

rule moneygram_reference
{
    meta:
        description = "MoneyGram reference number: ref or reference followed by exactly 8 digits; FP: other 8-digit references"
        category = "money_transfer"
    strings:
        $reference = /\bref(erence)?( ?(no|number|num|#))?[ .:#\-]{0,3}[0-9]{8}\b/ nocase ascii wide
    condition:
        $reference
}

rule tron_address
{
    meta:
        description = "TRON (USDT-TRC20) address after a context word: T and 33 base58 characters"
        category = "crypto_wallet"
    strings:
        // The address must follow its context word directly (separators only), so a line
        // such as "USDT TRC20 wallet: T..." gives one match, not one per context word.
        $latin = /(usdt|USDT|trc20|TRC20|trc-20|TRC-20|tron|TRON|Tron|trx|TRX|wallet|Wallet|WALLET|address|Address)[ \t:=()\-\r\n]{1,4}T[1-9A-HJ-NP-Za-km-z]{33}\b/ ascii wide
        // محفظة / محفظه ("wallet") in UTF-8.
        $arabic = /\xd9\x85\xd8\xad\xd9\x81\xd8\xb8(\xd8\xa9|\xd9\x87)[ \t:=()\-\r\n]{1,4}T[1-9A-HJ-NP-Za-km-z]{33}\b/
    condition:
        any of them
}

rule bitcoin_bech32_address
{
    meta:
        description = "Bitcoin bech32/bech32m address: bc1q + 38 (P2WPKH) or bc1q/bc1p + 58 (P2WSH, Taproot) characters"
        category = "crypto_wallet"
    strings:
        $lower = /\bbc1(q[02-9ac-hj-np-z]{38}|[qp][02-9ac-hj-np-z]{58})\b/ ascii wide
        $upper = /\bBC1(Q[02-9AC-HJ-NP-Z]{38}|[QP][02-9AC-HJ-NP-Z]{58})\b/ ascii wide
    condition:
        any of them
}

rule binance_pay_id
{
    meta:
        description = "Binance Pay ID or Binance UID: the context words followed by 8 to 10 digits"
        category = "crypto_wallet"
    strings:
        // "Binance Pay ID: 123456789" matches once, at "Pay ID".
        $id = /\b(pay ?id|binance ?u?id)[ .:#\-]{0,3}[0-9]{8,10}\b/ nocase ascii wide
    condition:
        $id
}
