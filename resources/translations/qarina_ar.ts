<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ar">
<context>
    <name></name>
    <message>
        <location filename="../../triage_app/gui/passwords.py" line="38"/>
        <location filename="../../triage_app/gui/passwords.py" line="45"/>
        <location filename="../../triage_app/gui/passwords.py" line="52"/>
        <source>Backup password</source>
        <translation>كلمة مرور النسخة الاحتياطية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/passwords.py" line="38"/>
        <source>This case holds no encrypted backup.</source>
        <translation>لا تحتوي هذه القضية على أي نسخة احتياطية مشفّرة.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/passwords.py" line="45"/>
        <source>Encrypted backup:</source>
        <translation>النسخة الاحتياطية المشفّرة:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/passwords.py" line="53"/>
        <source>Password of %1 (kept in memory until the app closes):</source>
        <translation>كلمة مرور %1 (تُحفظ في الذاكرة فقط حتى إغلاق التطبيق):</translation>
    </message>
</context>
<context>
    <name>AddEvidenceDialog</name>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="103"/>
        <source>Add evidence</source>
        <translation>إضافة أدلة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="109"/>
        <source>Add image or backup file(s)…</source>
        <translation>إضافة ملفات صور أقراص أو نسخ احتياطية…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="110"/>
        <source>Add extraction or backup folder…</source>
        <translation>إضافة مجلد استخراج أو نسخة احتياطية…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="118"/>
        <source>Evidence</source>
        <translation>الدليل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="118"/>
        <source>Type</source>
        <translation>النوع</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="118"/>
        <source>Size</source>
        <translation>الحجم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="127"/>
        <source>Backup password</source>
        <translation>كلمة مرور النسخة الاحتياطية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="128"/>
        <source>Check password</source>
        <translation>التحقق من كلمة المرور</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="131"/>
        <source>This backup is encrypted: enter its password.</source>
        <translation>هذه النسخة الاحتياطية مشفّرة: أدخل كلمة مرورها.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="141"/>
        <source>Scan</source>
        <translation>فحص</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="154"/>
        <source>Evidence files</source>
        <translation>ملفات الأدلة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="158"/>
        <source>Evidence folder</source>
        <translation>مجلد الأدلة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="167"/>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="271"/>
        <source>detecting…</source>
        <translation>جارٍ التعرّف…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="195"/>
        <source>cannot be read</source>
        <translation>تتعذّر قراءته</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="235"/>
        <source>Cannot be read: %1</source>
        <translation>تتعذّر القراءة: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="237"/>
        <source>Type: %1 (%2)</source>
        <translation>النوع: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="240"/>
        <source>Size: %1</source>
        <translation>الحجم: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="243"/>
        <source>Partitions found: %1 (untick those to leave out)</source>
        <translation>الأقسام الموجودة: %1 (ألغِ تحديد ما تريد استبعاده)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="246"/>
        <source>Warning: %1</source>
        <translation>تحذير: %1</translation>
    </message>
</context>
<context>
    <name>AuditView</name>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="169"/>
        <source>Every action on this case, hash-chained (check it with: qarina verify --case)</source>
        <translation>كل إجراء على هذه القضية، مسلسل بالبصمات (للتحقق: qarina verify --case)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="176"/>
        <source>Audit log</source>
        <translation>سجل التدقيق</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="187"/>
        <source>#</source>
        <translation>الرقم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="187"/>
        <source>Time (UTC)</source>
        <translation>الوقت (UTC)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="187"/>
        <source>Action</source>
        <translation>الإجراء</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="188"/>
        <source>Details</source>
        <translation>التفاصيل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="188"/>
        <source>Hash</source>
        <translation>البصمة</translation>
    </message>
</context>
<context>
    <name>CallsView</name>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="263"/>
        <source>Calls</source>
        <translation>المكالمات</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="266"/>
        <source>Time</source>
        <translation>الوقت</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="266"/>
        <source>Direction</source>
        <translation>الاتجاه</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="267"/>
        <source>Number</source>
        <translation>الرقم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="267"/>
        <source>Name</source>
        <translation>الاسم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="268"/>
        <source>Seconds</source>
        <translation>الثواني</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="268"/>
        <source>App</source>
        <translation>التطبيق</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="269"/>
        <source>Source</source>
        <translation>المصدر</translation>
    </message>
</context>
<context>
    <name>ContactsView</name>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="249"/>
        <source>Contacts</source>
        <translation>جهات الاتصال</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="253"/>
        <source>Name</source>
        <translation>الاسم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="253"/>
        <source>Phones</source>
        <translation>أرقام الهاتف</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="254"/>
        <source>E-mails</source>
        <translation>البريد الإلكتروني</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="254"/>
        <source>App</source>
        <translation>التطبيق</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="255"/>
        <source>Changed</source>
        <translation>آخر تغيير</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="255"/>
        <source>Source</source>
        <translation>المصدر</translation>
    </message>
</context>
<context>
    <name>ConversationModel</name>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="153"/>
        <source>Conversation</source>
        <translation>المحادثة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="154"/>
        <source>Participants</source>
        <translation>المشاركون</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="153"/>
        <source>App</source>
        <translation>التطبيق</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="153"/>
        <source>Messages</source>
        <translation>الرسائل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="154"/>
        <source>Last message</source>
        <translation>آخر رسالة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="154"/>
        <source>Evidence</source>
        <translation>الدليل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="197"/>
        <source>(no thread)</source>
        <translation>(بلا محادثة)</translation>
    </message>
</context>
<context>
    <name>CoverageView</name>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="120"/>
        <source>Parsers: files by outcome</source>
        <translation>المحللات: الملفات حسب النتيجة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="121"/>
        <source>Apps found on the devices (installed but not parsed: no record read)</source>
        <translation>التطبيقات الموجودة على الأجهزة (مثبّت لكن لم يُحلَّل: لم يُقرأ أي سجل)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="123"/>
        <source>Errors and items that could not be read</source>
        <translation>الأخطاء والعناصر التي تعذّرت قراءتها</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="137"/>
        <source>Coverage &amp; errors</source>
        <translation>التغطية والأخطاء</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="144"/>
        <location filename="../../triage_app/gui/views/overview.py" line="154"/>
        <source>Parser</source>
        <translation>المحلل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="144"/>
        <source>Outcome</source>
        <translation>النتيجة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="144"/>
        <source>Files</source>
        <translation>الملفات</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="145"/>
        <location filename="../../triage_app/gui/views/overview.py" line="149"/>
        <source>Records</source>
        <translation>السجلات</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="148"/>
        <location filename="../../triage_app/gui/views/overview.py" line="154"/>
        <source>Evidence</source>
        <translation>الدليل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="148"/>
        <source>App</source>
        <translation>التطبيق</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="148"/>
        <source>Name</source>
        <translation>الاسم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="149"/>
        <source>Category</source>
        <translation>الفئة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="149"/>
        <source>Parsed</source>
        <translation>محلَّل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="151"/>
        <source>yes</source>
        <translation>نعم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="151"/>
        <source>NO</source>
        <translation>لا</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="154"/>
        <source>Where</source>
        <translation>الموضع</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="155"/>
        <source>Path</source>
        <translation>المسار</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="155"/>
        <source>Status</source>
        <translation>الحالة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="155"/>
        <source>Message</source>
        <translation>الرسالة</translation>
    </message>
</context>
<context>
    <name>FilesModel</name>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="311"/>
        <source>Name</source>
        <translation>الاسم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="313"/>
        <source>Size</source>
        <translation>الحجم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="314"/>
        <source>Modified</source>
        <translation>آخر تعديل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="315"/>
        <source>Type</source>
        <translation>النوع</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="317"/>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="312"/>
        <source>Deleted</source>
        <translation>محذوف</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="316"/>
        <source>Hash set</source>
        <translation>مجموعة البصمات</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="357"/>
        <source>folder</source>
        <translation>مجلد</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="359"/>
        <source>deleted</source>
        <translation>محذوف</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="364"/>
        <source>whole image</source>
        <translation>الصورة كاملة</translation>
    </message>
</context>
<context>
    <name>FilesView</name>
    <message>
        <location filename="../../triage_app/gui/views/files_preview.py" line="70"/>
        <source>enter it with Case › Backup password…</source>
        <translation>أدخلها من القضية › كلمة مرور النسخة الاحتياطية…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="98"/>
        <source>Hex</source>
        <translation>ست عشري</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="99"/>
        <location filename="../../triage_app/gui/views/files.py" line="281"/>
        <source>Text</source>
        <translation>النص</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="126"/>
        <source>Copy path</source>
        <translation>نسخ المسار</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="127"/>
        <source>Copy hashes</source>
        <translation>نسخ البصمات</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="128"/>
        <source>Bookmark</source>
        <translation>إشارة مرجعية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="129"/>
        <source>Tag…</source>
        <translation>وسم…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="146"/>
        <source>Files</source>
        <translation>الملفات</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="211"/>
        <location filename="../../triage_app/gui/views/files.py" line="215"/>
        <source>Path: %1</source>
        <translation>المسار: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="212"/>
        <source>Folder implied by the paths of its files (no entry of its own).</source>
        <translation>مجلد مستنتج من مسارات ملفاته (لا إدخال خاص به).</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="216"/>
        <source>Size: %1 bytes</source>
        <translation>الحجم: %1 بايت</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="217"/>
        <source>Kind: %1</source>
        <translation>النوع: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="218"/>
        <source>Deleted: %1</source>
        <translation>محذوف: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="218"/>
        <source>yes</source>
        <translation>نعم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="218"/>
        <source>no</source>
        <translation>لا</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="221"/>
        <source>Modified</source>
        <translation>آخر تعديل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="222"/>
        <source>Accessed</source>
        <translation>آخر وصول</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="223"/>
        <source>Changed</source>
        <translation>آخر تغيير</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="224"/>
        <source>Created</source>
        <translation>الإنشاء</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="236"/>
        <source>Hash sets: %1</source>
        <translation>مجموعات البصمات: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="237"/>
        <source>Note: %1</source>
        <translation>ملاحظة: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="238"/>
        <source>Error: %1</source>
        <translation>خطأ: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="243"/>
        <source>Tags: %1</source>
        <translation>الوسوم: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="252"/>
        <source>Select a file to preview its first 64 KiB.</source>
        <translation>اختر ملفًا لمعاينة أول 64 كيلوبايت منه.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="255"/>
        <source>Reading…</source>
        <translation>جارٍ القراءة…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="267"/>
        <source>This file cannot be read from its evidence: %1</source>
        <translation>تتعذّر قراءة هذا الملف من دليله: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="273"/>
        <source>(empty file)</source>
        <translation>(ملف فارغ)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="275"/>
        <source>Text (%1)</source>
        <translation>النص (%1)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="314"/>
        <location filename="../../triage_app/gui/views/files.py" line="318"/>
        <source>Tag</source>
        <translation>وسم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="314"/>
        <source>Tag (for example suspect, victim, relevant):</source>
        <translation>الوسم (مثلًا: مشتبه به، ضحية، ذو صلة):</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="318"/>
        <source>Note (optional):</source>
        <translation>ملاحظة (اختيارية):</translation>
    </message>
</context>
<context>
    <name>HashSetPanel</name>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="128"/>
        <source>Name</source>
        <translation>الاسم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="128"/>
        <source>Category</source>
        <translation>الفئة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="128"/>
        <source>Format</source>
        <translation>الصيغة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="128"/>
        <source>Hashes</source>
        <translation>البصمات</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="132"/>
        <source>Name of the set</source>
        <translation>اسم المجموعة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="135"/>
        <source>Known bad</source>
        <translation>ضارة معروفة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="136"/>
        <source>Known good</source>
        <translation>سليمة معروفة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="137"/>
        <source>Other</source>
        <translation>أخرى</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="140"/>
        <source>Import…</source>
        <translation>استيراد…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="168"/>
        <source>Hash set file</source>
        <translation>ملف مجموعة البصمات</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="177"/>
        <source>Importing %1…</source>
        <translation>جارٍ استيراد %1…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="185"/>
        <source>%1 hashes imported, %2 matching file(s).</source>
        <translation>البصمات المستوردة: %1، الملفات المطابقة: %2.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="194"/>
        <source>Not imported: %1</source>
        <translation>لم يُستورد: %1</translation>
    </message>
</context>
<context>
    <name>KeywordsView</name>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="289"/>
        <source>Keyword hits</source>
        <translation>نتائج الكلمات المفتاحية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="293"/>
        <source>Keyword</source>
        <translation>الكلمة المفتاحية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="293"/>
        <source>Context</source>
        <translation>السياق</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="294"/>
        <source>Pack</source>
        <translation>الحزمة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="294"/>
        <source>Encoding</source>
        <translation>الترميز</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="295"/>
        <source>Found in</source>
        <translation>وُجدت في</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="295"/>
        <source>Source</source>
        <translation>المصدر</translation>
    </message>
</context>
<context>
    <name>LinksView</name>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="71"/>
        <source>Identifiers found on two or more evidence items.</source>
        <translation>معرّفات وُجدت في دليلين أو أكثر.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="85"/>
        <source>Identifiers &amp; links</source>
        <translation>المعرّفات والروابط</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="92"/>
        <source>Type</source>
        <translation>النوع</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="92"/>
        <source>Value</source>
        <translation>القيمة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="92"/>
        <source>Evidence items</source>
        <translation>الأدلة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="93"/>
        <source>Occurrences</source>
        <translation>مرات الظهور</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="103"/>
        <source>Evidence</source>
        <translation>الدليل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="103"/>
        <source>Record</source>
        <translation>السجل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="103"/>
        <source>Path</source>
        <translation>المسار</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="103"/>
        <source>Field</source>
        <translation>الحقل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="104"/>
        <source>As written</source>
        <translation>كما كُتب</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="96"/>
        <source>Messages</source>
        <translation>الرسائل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="96"/>
        <source>Contacts</source>
        <translation>جهات الاتصال</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="97"/>
        <source>Calls</source>
        <translation>المكالمات</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="97"/>
        <source>Web history</source>
        <translation>سجل التصفح</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="98"/>
        <source>Photos</source>
        <translation>الصور</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="98"/>
        <source>Map</source>
        <translation>الخريطة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="99"/>
        <source>Keyword hits</source>
        <translation>نتائج الكلمات المفتاحية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="99"/>
        <source>Identifiers &amp; links</source>
        <translation>المعرّفات والروابط</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="100"/>
        <source>Files</source>
        <translation>الملفات</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="100"/>
        <source>Timeline</source>
        <translation>التسلسل الزمني</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="101"/>
        <source>Coverage &amp; errors</source>
        <translation>التغطية والأخطاء</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="101"/>
        <source>Audit log</source>
        <translation>سجل التدقيق</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="110"/>
        <source>Cannot open the case</source>
        <translation>تعذّر فتح القضية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="115"/>
        <source>Qarina — case %1</source>
        <translation>قرينة — القضية %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="137"/>
        <source>Encrypted case</source>
        <translation>قضية مشفّرة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="137"/>
        <source>Passphrase of this case:</source>
        <translation>عبارة المرور لهذه القضية:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="206"/>
        <source>&amp;Case</source>
        <translation>ال&amp;قضية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="208"/>
        <source>&amp;New case…</source>
        <translation>&amp;قضية جديدة…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="209"/>
        <source>&amp;Open case…</source>
        <translation>&amp;فتح قضية…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="210"/>
        <source>&amp;Add evidence and scan…</source>
        <translation>إضافة &amp;أدلة وفحصها…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="211"/>
        <source>Export &amp;report…</source>
        <translation>تصدير &amp;تقرير…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="212"/>
        <source>&amp;Backup password…</source>
        <translation>&amp;كلمة مرور النسخة الاحتياطية…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="213"/>
        <source>&amp;Settings…</source>
        <translation>الإ&amp;عدادات…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="214"/>
        <source>Re&amp;fresh</source>
        <translation>ت&amp;حديث</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="215"/>
        <source>&amp;Quit</source>
        <translation>&amp;خروج</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="225"/>
        <source>&amp;View</source>
        <translation>&amp;عرض</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="263"/>
        <source>Open a case folder</source>
        <translation>فتح مجلد قضية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="266"/>
        <source>Not a case</source>
        <translation>ليس مجلد قضية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="267"/>
        <source>This folder holds no Qarina case.</source>
        <translation>لا يحتوي هذا المجلد على قضية من قرينة.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="313"/>
        <source>Scan %1: %2 records</source>
        <translation>الفحص %1: %2 سجل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="320"/>
        <source>Scan failed</source>
        <translation>فشل الفحص</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="352"/>
        <source>A scan is running</source>
        <translation>يجري فحص حاليًا</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="353"/>
        <source>Cancel the scan and close? The case keeps what was found, and the scan can be resumed later by adding the same evidence again.</source>
        <translation>إلغاء الفحص والإغلاق؟ تحتفظ القضية بما عُثر عليه، ويمكن استئناف الفحص لاحقًا بإضافة الأدلة نفسها مرة أخرى.</translation>
    </message>
</context>
<context>
    <name>MapView</name>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="199"/>
        <source>Click a point to see its record.</source>
        <translation>انقر على نقطة لعرض سجلها.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="200"/>
        <source>Loading located records…</source>
        <translation>جارٍ تحميل السجلات ذات المواقع…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="214"/>
        <source>Zoom out</source>
        <translation>تصغير</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="215"/>
        <source>Zoom in</source>
        <translation>تكبير</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="216"/>
        <source>Fit to points</source>
        <translation>ملاءمة مع النقاط</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="217"/>
        <source>Export KML…</source>
        <translation>تصدير KML…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="238"/>
        <source>Map</source>
        <translation>الخريطة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="270"/>
        <source>%1 located records</source>
        <translation>السجلات ذات المواقع: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="272"/>
        <source>%1 with an invalid position not drawn</source>
        <translation>لم يُرسم %1 لأن موقعها غير صالح</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="285"/>
        <source>Failed: %1</source>
        <translation>فشل: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="324"/>
        <source>Export KML and GeoJSON to</source>
        <translation>تصدير KML وGeoJSON إلى</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="330"/>
        <source>Exporting…</source>
        <translation>جارٍ التصدير…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="336"/>
        <source>Written: %1</source>
        <translation>كُتب: %1</translation>
    </message>
</context>
<context>
    <name>MessageModel</name>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="291"/>
        <source>incoming</source>
        <translation>وارد</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="291"/>
        <source>outgoing</source>
        <translation>صادر</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="298"/>
        <source>(the device&apos;s owner)</source>
        <translation>(صاحب الجهاز)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="300"/>
        <source>(unknown sender)</source>
        <translation>(مرسل غير معروف)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="302"/>
        <source>(no time)</source>
        <translation>(بلا وقت)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="303"/>
        <source>direction unknown</source>
        <translation>الاتجاه غير معروف</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="306"/>
        <source>DELETED</source>
        <translation>محذوفة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="314"/>
        <source>Attachments: %1</source>
        <translation>المرفقات: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="316"/>
        <source>Tags: %1</source>
        <translation>الوسوم: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="326"/>
        <source>Record: %1</source>
        <translation>السجل: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="327"/>
        <source>Evidence: %1</source>
        <translation>الدليل: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="328"/>
        <source>Path: %1</source>
        <translation>المسار: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="329"/>
        <source>Volume: %1</source>
        <translation>وحدة التخزين: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="330"/>
        <source>Parser: %1</source>
        <translation>المحلل: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="331"/>
        <source>Table/row: %1</source>
        <translation>الجدول/الصف: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="332"/>
        <source>Source SHA-256: %1</source>
        <translation>SHA-256 للمصدر: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="333"/>
        <source>Time (UTC): %1</source>
        <translation>الوقت (UTC): %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="334"/>
        <source>Stored time value: %1</source>
        <translation>قيمة الوقت المخزّنة: %1</translation>
    </message>
</context>
<context>
    <name>MessagesView</name>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="216"/>
        <source>Search conversations…</source>
        <translation>البحث في المحادثات…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="250"/>
        <source>Select a message to see where it comes from.</source>
        <translation>اختر رسالة لمعرفة مصدرها.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="275"/>
        <source>Copy</source>
        <translation>نسخ</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="276"/>
        <source>Bookmark</source>
        <translation>إشارة مرجعية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="277"/>
        <source>Tag…</source>
        <translation>وسم…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="278"/>
        <source>Open source record</source>
        <translation>فتح السجل المصدر</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="298"/>
        <source>Messages</source>
        <translation>الرسائل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="309"/>
        <source>Could not read messages: %1</source>
        <translation>تعذّرت قراءة الرسائل: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="351"/>
        <location filename="../../triage_app/gui/views/messages.py" line="354"/>
        <location filename="../../triage_app/gui/views/messages.py" line="366"/>
        <source>Tag</source>
        <translation>وسم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="351"/>
        <source>Tag (e.g. suspect, victim):</source>
        <translation>الوسم (مثلًا: مشتبه به، ضحية):</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="354"/>
        <source>Note (optional):</source>
        <translation>ملاحظة (اختيارية):</translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="72"/>
        <source>New case</source>
        <translation>قضية جديدة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="81"/>
        <source>Choose…</source>
        <translation>اختيار…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="87"/>
        <source>Case number:</source>
        <translation>رقم القضية:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="88"/>
        <source>Examiner:</source>
        <translation>الفاحص:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="89"/>
        <source>Agency:</source>
        <translation>الجهة:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="90"/>
        <source>Display time zone:</source>
        <translation>المنطقة الزمنية للعرض:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="91"/>
        <source>Report language:</source>
        <translation>لغة التقرير:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="92"/>
        <source>Case folder:</source>
        <translation>مجلد القضية:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="96"/>
        <source>Folder for the new case</source>
        <translation>مجلد القضية الجديدة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="112"/>
        <source>Choose a folder for the case.</source>
        <translation>اختر مجلدًا للقضية.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="114"/>
        <source>This folder already holds a case: open it from the start screen.</source>
        <translation>يحتوي هذا المجلد على قضية بالفعل: افتحها من شاشة البداية.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="116"/>
        <source>Unknown time zone: choose one from the list.</source>
        <translation>منطقة زمنية غير معروفة: اختر واحدة من القائمة.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="118"/>
        <source>Enter the examiner&apos;s name.</source>
        <translation>أدخل اسم الفاحص.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="128"/>
        <source>The case was not created: %1</source>
        <translation>لم تُنشأ القضية: %1</translation>
    </message>
</context>
<context>
    <name>PackList</name>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="59"/>
        <source>Rule packs cannot be loaded: %1</source>
        <translation>تعذّر تحميل حزم القواعد: %1</translation>
    </message>
</context>
<context>
    <name>PathList</name>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="90"/>
        <source>Add…</source>
        <translation>إضافة…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="90"/>
        <source>Remove</source>
        <translation>إزالة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="104"/>
        <source>Keyword lists</source>
        <translation>قوائم الكلمات المفتاحية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="104"/>
        <source>Keyword lists (*.txt);;All files (*)</source>
        <translation>قوائم الكلمات المفتاحية (*.txt);;كل الملفات (*)</translation>
    </message>
</context>
<context>
    <name>PhotosModel</name>
    <message>
        <location filename="../../triage_app/gui/views/photos_model.py" line="176"/>
        <source>sensitive: blurred</source>
        <translation>حساسة: مموّهة</translation>
    </message>
</context>
<context>
    <name>PhotosView</name>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="57"/>
        <source>Select a photo to see its details.</source>
        <translation>اختر صورة لعرض تفاصيلها.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="59"/>
        <location filename="../../triage_app/gui/views/photos.py" line="162"/>
        <source>Reveal</source>
        <translation>إظهار</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="60"/>
        <source>Tag…</source>
        <translation>وسم…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="61"/>
        <source>Bookmark</source>
        <translation>إشارة مرجعية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="62"/>
        <location filename="../../triage_app/gui/views/photos.py" line="163"/>
        <source>Mark sensitive</source>
        <translation>تعليم كحساسة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="92"/>
        <source>Photos</source>
        <translation>الصور</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="138"/>
        <location filename="../../triage_app/gui/views/photos.py" line="147"/>
        <source>Tag</source>
        <translation>وسم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="138"/>
        <source>Tag (for example suspect, victim, relevant):</source>
        <translation>الوسم (مثلًا: مشتبه به، ضحية، ذو صلة):</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="153"/>
        <source>%1 photos and videos</source>
        <translation>الصور ومقاطع الفيديو: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="162"/>
        <source>Blur again</source>
        <translation>إعادة التمويه</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="163"/>
        <source>Not sensitive</source>
        <translation>غير حساسة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="186"/>
        <source>Make</source>
        <translation>الشركة المصنّعة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="187"/>
        <source>Model</source>
        <translation>الطراز</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="188"/>
        <source>Taken (camera clock)</source>
        <translation>وقت الالتقاط (ساعة الكاميرا)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="189"/>
        <source>Taken (case time zone)</source>
        <translation>وقت الالتقاط (المنطقة الزمنية للقضية)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="190"/>
        <source>Taken (UTC)</source>
        <translation>وقت الالتقاط (UTC)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="191"/>
        <source>Latitude</source>
        <translation>خط العرض</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="192"/>
        <source>Longitude</source>
        <translation>خط الطول</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="193"/>
        <source>Altitude (m)</source>
        <translation>الارتفاع (م)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="194"/>
        <source>Type</source>
        <translation>النوع</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="195"/>
        <source>Path</source>
        <translation>المسار</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="196"/>
        <source>Evidence</source>
        <translation>الدليل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="197"/>
        <source>Record</source>
        <translation>السجل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="198"/>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="199"/>
        <source>Tags</source>
        <translation>الوسوم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="202"/>
        <source>Thumbnail</source>
        <translation>الصورة المصغّرة</translation>
    </message>
</context>
<context>
    <name>RecordDialog</name>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="185"/>
        <source>Source record %1</source>
        <translation>السجل المصدر %1</translation>
    </message>
</context>
<context>
    <name>RecordsView</name>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="57"/>
        <source>Search (Arabic letters normalised)…</source>
        <translation>بحث (مع توحيد الحروف العربية)…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="79"/>
        <source>Select a record to see where it comes from.</source>
        <translation>اختر سجلًا لمعرفة مصدره.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="100"/>
        <source>Time</source>
        <translation>الوقت</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="101"/>
        <source>Kind</source>
        <translation>النوع</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="108"/>
        <source>Records</source>
        <translation>السجلات</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="151"/>
        <source>Sorting… (every record of the list)</source>
        <translation>جارٍ الترتيب… (كل سجلات القائمة)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="169"/>
        <source>Copy</source>
        <translation>نسخ</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="174"/>
        <source>Bookmark</source>
        <translation>إشارة مرجعية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="179"/>
        <source>Tag…</source>
        <translation>وسم…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="199"/>
        <source>Provenance</source>
        <translation>المنشأ</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="201"/>
        <source>Fields</source>
        <translation>الحقول</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="208"/>
        <source>Tags</source>
        <translation>الوسوم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="225"/>
        <location filename="../../triage_app/gui/views/records.py" line="232"/>
        <source>Tag</source>
        <translation>وسم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="226"/>
        <source>Tag (e.g. suspect, victim):</source>
        <translation>الوسم (مثلًا: مشتبه به، ضحية):</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="233"/>
        <source>Note (optional):</source>
        <translation>ملاحظة (اختيارية):</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="131"/>
        <source>Export report</source>
        <translation>تصدير التقرير</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="138"/>
        <source>Formats:</source>
        <translation>الصيغ:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="139"/>
        <source>Records:</source>
        <translation>السجلات:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="141"/>
        <source>Report language:</source>
        <translation>لغة التقرير:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="142"/>
        <source>Redaction:</source>
        <translation>الحجب:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="143"/>
        <source>Output folder:</source>
        <translation>مجلد الإخراج:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="148"/>
        <source>Manifest SHA-256:</source>
        <translation>بصمة SHA-256 للبيان:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="152"/>
        <source>Open folder</source>
        <translation>فتح المجلد</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="162"/>
        <source>Write report</source>
        <translation>كتابة التقرير</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="175"/>
        <source>HTML pages</source>
        <translation>صفحات HTML</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="176"/>
        <source>PDF</source>
        <translation>PDF</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="177"/>
        <source>CSV tables</source>
        <translation>جداول CSV</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="178"/>
        <source>Map (KML, GeoJSON)</source>
        <translation>الخريطة (KML، GeoJSON)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="179"/>
        <source>CASE/UCO (JSON-LD)</source>
        <translation>CASE/UCO (JSON-LD)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="198"/>
        <source>All records</source>
        <translation>كل السجلات</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="199"/>
        <source>Bookmarked and tagged</source>
        <translation>ذات الإشارات المرجعية والوسوم</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="200"/>
        <source>With tags…</source>
        <translation>ذات الوسوم…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="201"/>
        <source>Of kinds…</source>
        <translation>من الأنواع…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="212"/>
        <source>suspect, victim</source>
        <translation>مشتبه به، ضحية</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="212"/>
        <source>message, call, contact</source>
        <translation>message, call, contact</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="217"/>
        <source>None</source>
        <translation>بلا</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="220"/>
        <source>File…</source>
        <translation>ملف…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="224"/>
        <source>Redaction profile</source>
        <translation>ملف الحجب</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="224"/>
        <source>Redaction profiles (*.json)</source>
        <translation>ملفات الحجب (*.json)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="233"/>
        <source>Choose…</source>
        <translation>اختيار…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="236"/>
        <source>Report folder</source>
        <translation>مجلد التقرير</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="258"/>
        <source>Choose at least one format.</source>
        <translation>اختر صيغة واحدة على الأقل.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="263"/>
        <source>Writing the report… this can take a few minutes.</source>
        <translation>جارٍ كتابة التقرير… قد يستغرق ذلك بضع دقائق.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="276"/>
        <source>Report written: %1 (%2 files).</source>
        <translation>كُتب التقرير: %1 (عدد الملفات: %2).</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="288"/>
        <source>The report was not written: %1</source>
        <translation>لم يُكتب التقرير: %1</translation>
    </message>
</context>
<context>
    <name>ScanPanel</name>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="174"/>
        <source>Index</source>
        <translation>الفهرسة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="174"/>
        <source>Hash</source>
        <translation>البصمات</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="174"/>
        <source>Parse</source>
        <translation>التحليل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="174"/>
        <source>Search</source>
        <translation>البحث</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="180"/>
        <source>Waiting to start…</source>
        <translation>في انتظار البدء…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="182"/>
        <location filename="../../triage_app/gui/scan.py" line="223"/>
        <location filename="../../triage_app/gui/scan.py" line="281"/>
        <source>Findings: %1</source>
        <translation>النتائج: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="183"/>
        <source>Cancel scan</source>
        <translation>إلغاء الفحص</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="208"/>
        <source>Cancelling… everything already saved is kept.</source>
        <translation>جارٍ الإلغاء… يُحتفظ بكل ما حُفظ.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="225"/>
        <source>Opening %1</source>
        <translation>جارٍ فتح %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="229"/>
        <source>%1 parser runs, %2 records</source>
        <translation>مرات تشغيل المحللات: %1، السجلات: %2</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="243"/>
        <source>Opening evidence…</source>
        <translation>جارٍ فتح الأدلة…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="244"/>
        <source>Indexing and hashing files…</source>
        <translation>جارٍ فهرسة الملفات وحساب بصماتها…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="245"/>
        <source>Parsing artifacts…</source>
        <translation>جارٍ تحليل الآثار الرقمية…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="246"/>
        <source>Searching records…</source>
        <translation>جارٍ البحث في السجلات…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="255"/>
        <source>%1 files</source>
        <translation>%1 ملف</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="259"/>
        <source>%1 of %2</source>
        <translation>%1 من %2</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="261"/>
        <source>%1 hashed, %2/s</source>
        <translation>البصمات: %1، %2/ث</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="265"/>
        <source>ETA %1</source>
        <translation>الوقت المتبقي %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="269"/>
        <source>%1 records searched</source>
        <translation>بُحث في %1 سجل</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="275"/>
        <source>%1 records/s, ETA %2</source>
        <translation>%1 سجل/ث، الوقت المتبقي %2</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="282"/>
        <source>%1 files, %2 hashed in %3</source>
        <translation>%1 ملف، حُسبت بصمات %2 في %3</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="290"/>
        <source>Scan cancelled. Scan again to resume where it stopped.</source>
        <translation>أُلغي الفحص. أعد الفحص للاستئناف من حيث توقف.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="295"/>
        <source>Scan finished; %1 evidence item(s) NOT read or verified.</source>
        <translation>انتهى الفحص؛ أدلة لم تُقرأ أو لم يُتحقق منها: %1.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="298"/>
        <source>Scan finished.</source>
        <translation>انتهى الفحص.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="304"/>
        <source>Scan failed: %1</source>
        <translation>فشل الفحص: %1</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="217"/>
        <source>Settings</source>
        <translation>الإعدادات</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="223"/>
        <source>Examiner name:</source>
        <translation>اسم الفاحص:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="224"/>
        <source>Language:</source>
        <translation>اللغة:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="225"/>
        <source>Display time zone:</source>
        <translation>المنطقة الزمنية للعرض:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="229"/>
        <source>Time zone of this case:</source>
        <translation>المنطقة الزمنية لهذه القضية:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="231"/>
        <source>Bundled rule packs:</source>
        <translation>حزم القواعد المضمّنة:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="233"/>
        <source>Keyword lists:</source>
        <translation>قوائم الكلمات المفتاحية:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="236"/>
        <source>Hash sets of this case:</source>
        <translation>مجموعات البصمات لهذه القضية:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="252"/>
        <source>Unknown time zone: choose one from the list.</source>
        <translation>منطقة زمنية غير معروفة: اختر واحدة من القائمة.</translation>
    </message>
</context>
<context>
    <name>StartScreen</name>
    <message>
        <location filename="../../triage_app/gui/start.py" line="54"/>
        <source>Qarina</source>
        <translation>قرينة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="59"/>
        <source>Offline triage of seized phones and computers.</source>
        <translation>فرز أولي دون اتصال بالإنترنت للهواتف والحواسيب المضبوطة.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="60"/>
        <source>New case…</source>
        <translation>قضية جديدة…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="61"/>
        <source>Open case…</source>
        <translation>فتح قضية…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="62"/>
        <source>Open the workshop sample case</source>
        <translation>فتح القضية النموذجية للتدريب</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="74"/>
        <source>No recent cases yet.</source>
        <translation>لا توجد قضايا حديثة بعد.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="81"/>
        <source>Recent cases</source>
        <translation>القضايا الأخيرة</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="98"/>
        <source>This case folder is not available (moved or removed).</source>
        <translation>مجلد هذه القضية غير متاح (نُقل أو حُذف).</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="104"/>
        <source>A fictional case on three seized devices, for training. The first time it is built and scanned (a minute or two).</source>
        <translation>قضية خيالية على ثلاثة أجهزة مضبوطة، للتدريب. في المرة الأولى تُنشأ وتُفحص (دقيقة أو دقيقتان).</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="113"/>
        <source>Open case folder</source>
        <translation>فتح مجلد القضية</translation>
    </message>
</context>
<context>
    <name>TimelineView</name>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="303"/>
        <source>Timeline</source>
        <translation>التسلسل الزمني</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="306"/>
        <source>Time</source>
        <translation>الوقت</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="306"/>
        <source>Kind</source>
        <translation>النوع</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="307"/>
        <source>App</source>
        <translation>التطبيق</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="307"/>
        <source>Text</source>
        <translation>النص</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="308"/>
        <source>URL</source>
        <translation>الرابط</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="308"/>
        <source>Source</source>
        <translation>المصدر</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="313"/>
        <source>All kinds</source>
        <translation>كل الأنواع</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="320"/>
        <source>From</source>
        <translation>من</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="327"/>
        <source>to</source>
        <translation>إلى</translation>
    </message>
</context>
<context>
    <name>WebView</name>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="276"/>
        <source>Web history</source>
        <translation>سجل التصفح</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="279"/>
        <source>Time</source>
        <translation>الوقت</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="279"/>
        <source>Kind</source>
        <translation>النوع</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="280"/>
        <source>URL</source>
        <translation>الرابط</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="280"/>
        <source>Title</source>
        <translation>العنوان</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="281"/>
        <source>Search term</source>
        <translation>عبارة البحث</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="281"/>
        <source>Browser</source>
        <translation>المتصفح</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="282"/>
        <source>Source</source>
        <translation>المصدر</translation>
    </message>
</context>
<context>
    <name>WorkshopSample</name>
    <message>
        <location filename="../../triage_app/gui/sample_case.py" line="31"/>
        <source>Building the workshop sample (the first time only)…</source>
        <translation>جارٍ إنشاء عيّنة ورشة التدريب (في المرة الأولى فقط)…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/sample_case.py" line="39"/>
        <source>Workshop sample</source>
        <translation>عيّنة ورشة التدريب</translation>
    </message>
</context>
</TS>
