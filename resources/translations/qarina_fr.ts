<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr">
<context>
    <name></name>
    <message>
        <location filename="../../triage_app/gui/passwords.py" line="38"/>
        <location filename="../../triage_app/gui/passwords.py" line="45"/>
        <location filename="../../triage_app/gui/passwords.py" line="52"/>
        <source>Backup password</source>
        <translation>Mot de passe de la sauvegarde</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/passwords.py" line="38"/>
        <source>This case holds no encrypted backup.</source>
        <translation>Cette affaire ne contient aucune sauvegarde chiffrée.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/passwords.py" line="45"/>
        <source>Encrypted backup:</source>
        <translation>Sauvegarde chiffrée&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/passwords.py" line="53"/>
        <source>Password of %1 (kept in memory until the app closes):</source>
        <translation>Mot de passe de %1 (gardé en mémoire jusqu’à la fermeture de l’application)&#xa0;:</translation>
    </message>
</context>
<context>
    <name>AddEvidenceDialog</name>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="103"/>
        <source>Add evidence</source>
        <translation>Ajouter des scellés</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="109"/>
        <source>Add image or backup file(s)…</source>
        <translation>Ajouter des fichiers d&apos;image ou de sauvegarde…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="110"/>
        <source>Add extraction or backup folder…</source>
        <translation>Ajouter un répertoire d&apos;extraction ou de sauvegarde…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="118"/>
        <source>Evidence</source>
        <translation>Scellé</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="118"/>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="118"/>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="127"/>
        <source>Backup password</source>
        <translation>Mot de passe de la sauvegarde</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="128"/>
        <source>Check password</source>
        <translation>Vérifier le mot de passe</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="131"/>
        <source>This backup is encrypted: enter its password.</source>
        <translation>Cette sauvegarde est chiffrée&#xa0;: saisissez son mot de passe.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="141"/>
        <source>Scan</source>
        <translation>Analyser</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="154"/>
        <source>Evidence files</source>
        <translation>Fichiers de scellé</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="158"/>
        <source>Evidence folder</source>
        <translation>Répertoire de scellé</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="167"/>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="271"/>
        <source>detecting…</source>
        <translation>détection…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="195"/>
        <source>cannot be read</source>
        <translation>illisible</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="235"/>
        <source>Cannot be read: %1</source>
        <translation>Illisible&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="237"/>
        <source>Type: %1 (%2)</source>
        <translation>Type&#xa0;: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="240"/>
        <source>Size: %1</source>
        <translation>Taille&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="243"/>
        <source>Partitions found: %1 (untick those to leave out)</source>
        <translation>Partitions trouvées&#xa0;: %1 (décochez celles à laisser de côté)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/evidence_dialog.py" line="246"/>
        <source>Warning: %1</source>
        <translation>Avertissement&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>AuditView</name>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="169"/>
        <source>Every action on this case, hash-chained (check it with: qarina verify --case)</source>
        <translation>Chaque action sur cette affaire, chaînée par empreintes (à vérifier avec&#xa0;: qarina verify --case)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="176"/>
        <source>Audit log</source>
        <translation>Journal d&apos;audit</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="187"/>
        <source>#</source>
        <translation>N°</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="187"/>
        <source>Time (UTC)</source>
        <translation>Heure (UTC)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="187"/>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="188"/>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="188"/>
        <source>Hash</source>
        <translation>Empreinte</translation>
    </message>
</context>
<context>
    <name>CallsView</name>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="263"/>
        <source>Calls</source>
        <translation>Appels</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="266"/>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="266"/>
        <source>Direction</source>
        <translation>Sens</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="267"/>
        <source>Number</source>
        <translation>Numéro</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="267"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="268"/>
        <source>Seconds</source>
        <translation>Secondes</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="268"/>
        <source>App</source>
        <translation>Application</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="269"/>
        <source>Source</source>
        <translation>Source</translation>
    </message>
</context>
<context>
    <name>ContactsView</name>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="249"/>
        <source>Contacts</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="253"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="253"/>
        <source>Phones</source>
        <translation>Téléphones</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="254"/>
        <source>E-mails</source>
        <translation>Courriels</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="254"/>
        <source>App</source>
        <translation>Application</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="255"/>
        <source>Changed</source>
        <translation>Modifié</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="255"/>
        <source>Source</source>
        <translation>Source</translation>
    </message>
</context>
<context>
    <name>ConversationModel</name>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="153"/>
        <source>Conversation</source>
        <translation>Conversation</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="154"/>
        <source>Participants</source>
        <translation>Participants</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="153"/>
        <source>App</source>
        <translation>Appli</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="153"/>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="154"/>
        <source>Last message</source>
        <translation>Dernier message</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="154"/>
        <source>Evidence</source>
        <translation>Scellé</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="197"/>
        <source>(no thread)</source>
        <translation>(hors conversation)</translation>
    </message>
</context>
<context>
    <name>CoverageView</name>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="120"/>
        <source>Parsers: files by outcome</source>
        <translation>Analyseurs&#xa0;: fichiers par résultat</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="121"/>
        <source>Apps found on the devices (installed but not parsed: no record read)</source>
        <translation>Applications trouvées sur les appareils (installée mais non analysée&#xa0;: aucun enregistrement lu)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="123"/>
        <source>Errors and items that could not be read</source>
        <translation>Erreurs et éléments illisibles</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="137"/>
        <source>Coverage &amp; errors</source>
        <translation>Couverture et erreurs</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="144"/>
        <location filename="../../triage_app/gui/views/overview.py" line="154"/>
        <source>Parser</source>
        <translation>Analyseur</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="144"/>
        <source>Outcome</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="144"/>
        <source>Files</source>
        <translation>Fichiers</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="145"/>
        <location filename="../../triage_app/gui/views/overview.py" line="149"/>
        <source>Records</source>
        <translation>Enregistrements</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="148"/>
        <location filename="../../triage_app/gui/views/overview.py" line="154"/>
        <source>Evidence</source>
        <translation>Scellé</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="148"/>
        <source>App</source>
        <translation>Application</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="148"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="149"/>
        <source>Category</source>
        <translation>Catégorie</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="149"/>
        <source>Parsed</source>
        <translation>Analysée</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="151"/>
        <source>yes</source>
        <translation>oui</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="151"/>
        <source>NO</source>
        <translation>NON</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="154"/>
        <source>Where</source>
        <translation>Emplacement</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="155"/>
        <source>Path</source>
        <translation>Chemin</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="155"/>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="155"/>
        <source>Message</source>
        <translation>Message</translation>
    </message>
</context>
<context>
    <name>FilesModel</name>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="311"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="313"/>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="314"/>
        <source>Modified</source>
        <translation>Modifié</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="315"/>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="317"/>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="312"/>
        <source>Deleted</source>
        <translation>Supprimé</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="316"/>
        <source>Hash set</source>
        <translation>Jeu d&apos;empreintes</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="357"/>
        <source>folder</source>
        <translation>répertoire</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="359"/>
        <source>deleted</source>
        <translation>supprimé</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files_model.py" line="364"/>
        <source>whole image</source>
        <translation>image entière</translation>
    </message>
</context>
<context>
    <name>FilesView</name>
    <message>
        <location filename="../../triage_app/gui/views/files_preview.py" line="70"/>
        <source>enter it with Case › Backup password…</source>
        <translation>saisissez-le dans Affaire › Mot de passe de sauvegarde…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="98"/>
        <source>Hex</source>
        <translation>Hexa</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="99"/>
        <location filename="../../triage_app/gui/views/files.py" line="281"/>
        <source>Text</source>
        <translation>Texte</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="126"/>
        <source>Copy path</source>
        <translation>Copier le chemin</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="127"/>
        <source>Copy hashes</source>
        <translation>Copier les empreintes</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="128"/>
        <source>Bookmark</source>
        <translation>Signet</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="129"/>
        <source>Tag…</source>
        <translation>Étiqueter…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="146"/>
        <source>Files</source>
        <translation>Fichiers</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="211"/>
        <location filename="../../triage_app/gui/views/files.py" line="215"/>
        <source>Path: %1</source>
        <translation>Chemin&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="212"/>
        <source>Folder implied by the paths of its files (no entry of its own).</source>
        <translation>Répertoire déduit des chemins de ses fichiers (sans entrée propre).</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="216"/>
        <source>Size: %1 bytes</source>
        <translation>Taille&#xa0;: %1 octets</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="217"/>
        <source>Kind: %1</source>
        <translation>Type&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="218"/>
        <source>Deleted: %1</source>
        <translation>Supprimé&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="218"/>
        <source>yes</source>
        <translation>oui</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="218"/>
        <source>no</source>
        <translation>non</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="221"/>
        <source>Modified</source>
        <translation>Modifié</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="222"/>
        <source>Accessed</source>
        <translation>Accédé</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="223"/>
        <source>Changed</source>
        <translation>Changé</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="224"/>
        <source>Created</source>
        <translation>Créé</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="236"/>
        <source>Hash sets: %1</source>
        <translation>Jeux d&apos;empreintes&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="237"/>
        <source>Note: %1</source>
        <translation>Note&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="238"/>
        <source>Error: %1</source>
        <translation>Erreur&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="243"/>
        <source>Tags: %1</source>
        <translation>Étiquettes&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="252"/>
        <source>Select a file to preview its first 64 KiB.</source>
        <translation>Sélectionnez un fichier pour afficher ses premiers 64 Kio.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="255"/>
        <source>Reading…</source>
        <translation>Lecture…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="267"/>
        <source>This file cannot be read from its evidence: %1</source>
        <translation>Ce fichier ne peut pas être lu depuis son scellé&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="273"/>
        <source>(empty file)</source>
        <translation>(fichier vide)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="275"/>
        <source>Text (%1)</source>
        <translation>Texte (%1)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="314"/>
        <location filename="../../triage_app/gui/views/files.py" line="318"/>
        <source>Tag</source>
        <translation>Étiquette</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="314"/>
        <source>Tag (for example suspect, victim, relevant):</source>
        <translation>Étiquette (par exemple suspect, victime, pertinent)&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/files.py" line="318"/>
        <source>Note (optional):</source>
        <translation>Note (facultative)&#xa0;:</translation>
    </message>
</context>
<context>
    <name>HashSetPanel</name>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="128"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="128"/>
        <source>Category</source>
        <translation>Catégorie</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="128"/>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="128"/>
        <source>Hashes</source>
        <translation>Empreintes</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="132"/>
        <source>Name of the set</source>
        <translation>Nom du jeu</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="135"/>
        <source>Known bad</source>
        <translation>Malveillants connus</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="136"/>
        <source>Known good</source>
        <translation>Légitimes connus</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="137"/>
        <source>Other</source>
        <translation>Autre</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="140"/>
        <source>Import…</source>
        <translation>Importer…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="168"/>
        <source>Hash set file</source>
        <translation>Fichier de jeu d&apos;empreintes</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="177"/>
        <source>Importing %1…</source>
        <translation>Importation de %1…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="185"/>
        <source>%1 hashes imported, %2 matching file(s).</source>
        <translation>%1 empreintes importées, %2 fichier(s) correspondant(s).</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="194"/>
        <source>Not imported: %1</source>
        <translation>Non importé&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>KeywordsView</name>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="289"/>
        <source>Keyword hits</source>
        <translation>Occurrences de mots-clés</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="293"/>
        <source>Keyword</source>
        <translation>Mot-clé</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="293"/>
        <source>Context</source>
        <translation>Contexte</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="294"/>
        <source>Pack</source>
        <translation>Jeu de règles</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="294"/>
        <source>Encoding</source>
        <translation>Encodage</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="295"/>
        <source>Found in</source>
        <translation>Trouvé dans</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="295"/>
        <source>Source</source>
        <translation>Source</translation>
    </message>
</context>
<context>
    <name>LinksView</name>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="71"/>
        <source>Identifiers found on two or more evidence items.</source>
        <translation>Identifiants trouvés dans deux scellés ou plus.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="85"/>
        <source>Identifiers &amp; links</source>
        <translation>Identifiants et liens</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="92"/>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="92"/>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="92"/>
        <source>Evidence items</source>
        <translation>Scellés</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="93"/>
        <source>Occurrences</source>
        <translation>Occurrences</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="103"/>
        <source>Evidence</source>
        <translation>Scellé</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="103"/>
        <source>Record</source>
        <translation>Enregistrement</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="103"/>
        <source>Path</source>
        <translation>Chemin</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="103"/>
        <source>Field</source>
        <translation>Champ</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/overview.py" line="104"/>
        <source>As written</source>
        <translation>Tel qu&apos;écrit</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="96"/>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="96"/>
        <source>Contacts</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="97"/>
        <source>Calls</source>
        <translation>Appels</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="97"/>
        <source>Web history</source>
        <translation>Historique web</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="98"/>
        <source>Photos</source>
        <translation>Photos</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="98"/>
        <source>Map</source>
        <translation>Carte</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="99"/>
        <source>Keyword hits</source>
        <translation>Occurrences de mots-clés</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="99"/>
        <source>Identifiers &amp; links</source>
        <translation>Identifiants et liens</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="100"/>
        <source>Files</source>
        <translation>Fichiers</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="100"/>
        <source>Timeline</source>
        <translation>Chronologie</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="101"/>
        <source>Coverage &amp; errors</source>
        <translation>Couverture et erreurs</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="101"/>
        <source>Audit log</source>
        <translation>Journal d&apos;audit</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="110"/>
        <source>Cannot open the case</source>
        <translation>Impossible d&apos;ouvrir l&apos;affaire</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="115"/>
        <source>Qarina — case %1</source>
        <translation>Qarina — affaire %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="137"/>
        <source>Encrypted case</source>
        <translation>Affaire chiffrée</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="137"/>
        <source>Passphrase of this case:</source>
        <translation>Phrase secrète de cette affaire :</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="206"/>
        <source>&amp;Case</source>
        <translation>&amp;Affaire</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="208"/>
        <source>&amp;New case…</source>
        <translation>&amp;Nouvelle affaire…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="209"/>
        <source>&amp;Open case…</source>
        <translation>&amp;Ouvrir une affaire…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="210"/>
        <source>&amp;Add evidence and scan…</source>
        <translation>&amp;Ajouter des scellés et analyser…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="211"/>
        <source>Export &amp;report…</source>
        <translation>Exporter un &amp;rapport…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="212"/>
        <source>&amp;Backup password…</source>
        <translation>&amp;Mot de passe de sauvegarde…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="213"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="214"/>
        <source>Re&amp;fresh</source>
        <translation>Actuali&amp;ser</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="215"/>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="225"/>
        <source>&amp;View</source>
        <translation>Affic&amp;hage</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="263"/>
        <source>Open a case folder</source>
        <translation>Ouvrir le répertoire d&apos;une affaire</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="266"/>
        <source>Not a case</source>
        <translation>Pas une affaire Qarina</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="267"/>
        <source>This folder holds no Qarina case.</source>
        <translation>Ce répertoire ne contient aucune affaire Qarina.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="313"/>
        <source>Scan %1: %2 records</source>
        <translation>Analyse %1&#xa0;: %2 enregistrements</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="320"/>
        <source>Scan failed</source>
        <translation>Échec de l&apos;analyse</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="352"/>
        <source>A scan is running</source>
        <translation>Une analyse est en cours</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/main_window.py" line="353"/>
        <source>Cancel the scan and close? The case keeps what was found, and the scan can be resumed later by adding the same evidence again.</source>
        <translation>Annuler l&apos;analyse et fermer&#xa0;? L&apos;affaire conserve ce qui a été trouvé, et l&apos;analyse pourra reprendre plus tard en ajoutant à nouveau les mêmes scellés.</translation>
    </message>
</context>
<context>
    <name>MapView</name>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="199"/>
        <source>Click a point to see its record.</source>
        <translation>Cliquez sur un point pour voir son enregistrement.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="200"/>
        <source>Loading located records…</source>
        <translation>Chargement des enregistrements localisés…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="214"/>
        <source>Zoom out</source>
        <translation>Zoom arrière</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="215"/>
        <source>Zoom in</source>
        <translation>Zoom avant</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="216"/>
        <source>Fit to points</source>
        <translation>Ajuster aux points</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="217"/>
        <source>Export KML…</source>
        <translation>Exporter en KML…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="238"/>
        <source>Map</source>
        <translation>Carte</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="270"/>
        <source>%1 located records</source>
        <translation>%1 enregistrements localisés</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="272"/>
        <source>%1 with an invalid position not drawn</source>
        <translation>%1 à position invalide non affichés</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="285"/>
        <source>Failed: %1</source>
        <translation>Échec&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="324"/>
        <source>Export KML and GeoJSON to</source>
        <translation>Exporter KML et GeoJSON vers</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="330"/>
        <source>Exporting…</source>
        <translation>Exportation…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/map.py" line="336"/>
        <source>Written: %1</source>
        <translation>Écrit&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>MessageModel</name>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="291"/>
        <source>incoming</source>
        <translation>entrant</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="291"/>
        <source>outgoing</source>
        <translation>sortant</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="298"/>
        <source>(the device&apos;s owner)</source>
        <translation>(le propriétaire de l’appareil)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="300"/>
        <source>(unknown sender)</source>
        <translation>(expéditeur inconnu)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="302"/>
        <source>(no time)</source>
        <translation>(sans heure)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="303"/>
        <source>direction unknown</source>
        <translation>sens inconnu</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="306"/>
        <source>DELETED</source>
        <translation>SUPPRIMÉ</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="314"/>
        <source>Attachments: %1</source>
        <translation>Pièces jointes&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="316"/>
        <source>Tags: %1</source>
        <translation>Étiquettes&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="326"/>
        <source>Record: %1</source>
        <translation>Enregistrement&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="327"/>
        <source>Evidence: %1</source>
        <translation>Scellé&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="328"/>
        <source>Path: %1</source>
        <translation>Chemin&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="329"/>
        <source>Volume: %1</source>
        <translation>Volume&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="330"/>
        <source>Parser: %1</source>
        <translation>Analyseur&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="331"/>
        <source>Table/row: %1</source>
        <translation>Table/ligne&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="332"/>
        <source>Source SHA-256: %1</source>
        <translation>SHA-256 de la source&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="333"/>
        <source>Time (UTC): %1</source>
        <translation>Heure (UTC)&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages_model.py" line="334"/>
        <source>Stored time value: %1</source>
        <translation>Valeur horaire stockée&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>MessagesView</name>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="216"/>
        <source>Search conversations…</source>
        <translation>Rechercher dans les conversations…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="250"/>
        <source>Select a message to see where it comes from.</source>
        <translation>Sélectionnez un message pour voir sa provenance.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="275"/>
        <source>Copy</source>
        <translation>Copier</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="276"/>
        <source>Bookmark</source>
        <translation>Signet</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="277"/>
        <source>Tag…</source>
        <translation>Étiqueter…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="278"/>
        <source>Open source record</source>
        <translation>Ouvrir l&apos;enregistrement source</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="298"/>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="309"/>
        <source>Could not read messages: %1</source>
        <translation>Impossible de lire les messages&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="351"/>
        <location filename="../../triage_app/gui/views/messages.py" line="354"/>
        <location filename="../../triage_app/gui/views/messages.py" line="366"/>
        <source>Tag</source>
        <translation>Étiquette</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="351"/>
        <source>Tag (e.g. suspect, victim):</source>
        <translation>Étiquette (par ex. suspect, victime)&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="354"/>
        <source>Note (optional):</source>
        <translation>Note (facultative)&#xa0;:</translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="72"/>
        <source>New case</source>
        <translation>Nouvelle affaire</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="81"/>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="87"/>
        <source>Case number:</source>
        <translation>Numéro d&apos;affaire&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="88"/>
        <source>Examiner:</source>
        <translation>Examinateur&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="89"/>
        <source>Agency:</source>
        <translation>Service&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="90"/>
        <source>Display time zone:</source>
        <translation>Fuseau horaire d&apos;affichage&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="91"/>
        <source>Report language:</source>
        <translation>Langue du rapport&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="92"/>
        <source>Case folder:</source>
        <translation>Répertoire de l&apos;affaire&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="96"/>
        <source>Folder for the new case</source>
        <translation>Répertoire de la nouvelle affaire</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="112"/>
        <source>Choose a folder for the case.</source>
        <translation>Choisissez un répertoire pour l&apos;affaire.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="114"/>
        <source>This folder already holds a case: open it from the start screen.</source>
        <translation>Ce répertoire contient déjà une affaire&#xa0;: ouvrez-la depuis l&apos;écran d&apos;accueil.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="116"/>
        <source>Unknown time zone: choose one from the list.</source>
        <translation>Fuseau horaire inconnu&#xa0;: choisissez-en un dans la liste.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="118"/>
        <source>Enter the examiner&apos;s name.</source>
        <translation>Saisissez le nom de l&apos;examinateur.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/dialogs.py" line="128"/>
        <source>The case was not created: %1</source>
        <translation>L&apos;affaire n&apos;a pas été créée&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>PackList</name>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="59"/>
        <source>Rule packs cannot be loaded: %1</source>
        <translation>Impossible de charger les jeux de règles&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>PathList</name>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="90"/>
        <source>Add…</source>
        <translation>Ajouter…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="90"/>
        <source>Remove</source>
        <translation>Retirer</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="104"/>
        <source>Keyword lists</source>
        <translation>Listes de mots-clés</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="104"/>
        <source>Keyword lists (*.txt);;All files (*)</source>
        <translation>Listes de mots-clés (*.txt);;Tous les fichiers (*)</translation>
    </message>
</context>
<context>
    <name>PhotosModel</name>
    <message>
        <location filename="../../triage_app/gui/views/photos_model.py" line="176"/>
        <source>sensitive: blurred</source>
        <translation>sensible&#xa0;: floutée</translation>
    </message>
</context>
<context>
    <name>PhotosView</name>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="57"/>
        <source>Select a photo to see its details.</source>
        <translation>Sélectionnez une photo pour voir ses détails.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="59"/>
        <location filename="../../triage_app/gui/views/photos.py" line="162"/>
        <source>Reveal</source>
        <translation>Afficher</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="60"/>
        <source>Tag…</source>
        <translation>Étiqueter…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="61"/>
        <source>Bookmark</source>
        <translation>Signet</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="62"/>
        <location filename="../../triage_app/gui/views/photos.py" line="163"/>
        <source>Mark sensitive</source>
        <translation>Marquer comme sensible</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="92"/>
        <source>Photos</source>
        <translation>Photos</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="138"/>
        <location filename="../../triage_app/gui/views/photos.py" line="147"/>
        <source>Tag</source>
        <translation>Étiquette</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="138"/>
        <source>Tag (for example suspect, victim, relevant):</source>
        <translation>Étiquette (par exemple suspect, victime, pertinent)&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="153"/>
        <source>%1 photos and videos</source>
        <translation>%1 photos et vidéos</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="162"/>
        <source>Blur again</source>
        <translation>Flouter à nouveau</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="163"/>
        <source>Not sensitive</source>
        <translation>Non sensible</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="186"/>
        <source>Make</source>
        <translation>Fabricant</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="187"/>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="188"/>
        <source>Taken (camera clock)</source>
        <translation>Prise (horloge de l&apos;appareil)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="189"/>
        <source>Taken (case time zone)</source>
        <translation>Prise (fuseau de l&apos;affaire)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="190"/>
        <source>Taken (UTC)</source>
        <translation>Prise (UTC)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="191"/>
        <source>Latitude</source>
        <translation>Latitude</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="192"/>
        <source>Longitude</source>
        <translation>Longitude</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="193"/>
        <source>Altitude (m)</source>
        <translation>Altitude (m)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="194"/>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="195"/>
        <source>Path</source>
        <translation>Chemin</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="196"/>
        <source>Evidence</source>
        <translation>Scellé</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="197"/>
        <source>Record</source>
        <translation>Enregistrement</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="198"/>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="199"/>
        <source>Tags</source>
        <translation>Étiquettes</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/photos.py" line="202"/>
        <source>Thumbnail</source>
        <translation>Miniature</translation>
    </message>
</context>
<context>
    <name>RecordDialog</name>
    <message>
        <location filename="../../triage_app/gui/views/messages.py" line="185"/>
        <source>Source record %1</source>
        <translation>Enregistrement source %1</translation>
    </message>
</context>
<context>
    <name>RecordsView</name>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="57"/>
        <source>Search (Arabic letters normalised)…</source>
        <translation>Rechercher (lettres arabes normalisées)…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="79"/>
        <source>Select a record to see where it comes from.</source>
        <translation>Sélectionnez un enregistrement pour voir sa provenance.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="100"/>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="101"/>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="108"/>
        <source>Records</source>
        <translation>Enregistrements</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="151"/>
        <source>Sorting… (every record of the list)</source>
        <translation>Tri en cours… (tous les enregistrements de la liste)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="169"/>
        <source>Copy</source>
        <translation>Copier</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="174"/>
        <source>Bookmark</source>
        <translation>Signet</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="179"/>
        <source>Tag…</source>
        <translation>Étiqueter…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="199"/>
        <source>Provenance</source>
        <translation>Provenance</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="201"/>
        <source>Fields</source>
        <translation>Champs</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="208"/>
        <source>Tags</source>
        <translation>Étiquettes</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="225"/>
        <location filename="../../triage_app/gui/views/records.py" line="232"/>
        <source>Tag</source>
        <translation>Étiquette</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="226"/>
        <source>Tag (e.g. suspect, victim):</source>
        <translation>Étiquette (par ex. suspect, victime)&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="233"/>
        <source>Note (optional):</source>
        <translation>Note (facultative)&#xa0;:</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="131"/>
        <source>Export report</source>
        <translation>Exporter le rapport</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="138"/>
        <source>Formats:</source>
        <translation>Formats&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="139"/>
        <source>Records:</source>
        <translation>Enregistrements&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="141"/>
        <source>Report language:</source>
        <translation>Langue du rapport&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="142"/>
        <source>Redaction:</source>
        <translation>Caviardage&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="143"/>
        <source>Output folder:</source>
        <translation>Répertoire de sortie&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="148"/>
        <source>Manifest SHA-256:</source>
        <translation>SHA-256 du manifeste&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="152"/>
        <source>Open folder</source>
        <translation>Ouvrir le répertoire</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="162"/>
        <source>Write report</source>
        <translation>Écrire le rapport</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="175"/>
        <source>HTML pages</source>
        <translation>Pages HTML</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="176"/>
        <source>PDF</source>
        <translation>PDF</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="177"/>
        <source>CSV tables</source>
        <translation>Tableaux CSV</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="178"/>
        <source>Map (KML, GeoJSON)</source>
        <translation>Carte (KML, GeoJSON)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="179"/>
        <source>CASE/UCO (JSON-LD)</source>
        <translation>CASE/UCO (JSON-LD)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="198"/>
        <source>All records</source>
        <translation>Tous les enregistrements</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="199"/>
        <source>Bookmarked and tagged</source>
        <translation>Avec signets et étiquettes</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="200"/>
        <source>With tags…</source>
        <translation>Avec les étiquettes…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="201"/>
        <source>Of kinds…</source>
        <translation>Des types…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="212"/>
        <source>suspect, victim</source>
        <translation>suspect, victime</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="212"/>
        <source>message, call, contact</source>
        <translation>message, call, contact</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="217"/>
        <source>None</source>
        <translation>Aucun</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="220"/>
        <source>File…</source>
        <translation>Fichier…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="224"/>
        <source>Redaction profile</source>
        <translation>Profil de caviardage</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="224"/>
        <source>Redaction profiles (*.json)</source>
        <translation>Profils de caviardage (*.json)</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="233"/>
        <source>Choose…</source>
        <translation>Choisir…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="236"/>
        <source>Report folder</source>
        <translation>Répertoire du rapport</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="258"/>
        <source>Choose at least one format.</source>
        <translation>Choisissez au moins un format.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="263"/>
        <source>Writing the report… this can take a few minutes.</source>
        <translation>Écriture du rapport… cela peut prendre quelques minutes.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="276"/>
        <source>Report written: %1 (%2 files).</source>
        <translation>Rapport écrit&#xa0;: %1 (%2 fichiers).</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/report_dialog.py" line="288"/>
        <source>The report was not written: %1</source>
        <translation>Le rapport n&apos;a pas été écrit&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>ScanPanel</name>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="174"/>
        <source>Index</source>
        <translation>Indexation</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="174"/>
        <source>Hash</source>
        <translation>Empreintes</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="174"/>
        <source>Parse</source>
        <translation>Décodage</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="174"/>
        <source>Search</source>
        <translation>Recherche</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="180"/>
        <source>Waiting to start…</source>
        <translation>En attente de démarrage…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="182"/>
        <location filename="../../triage_app/gui/scan.py" line="223"/>
        <location filename="../../triage_app/gui/scan.py" line="281"/>
        <source>Findings: %1</source>
        <translation>Résultats&#xa0;: %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="183"/>
        <source>Cancel scan</source>
        <translation>Annuler l&apos;analyse</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="208"/>
        <source>Cancelling… everything already saved is kept.</source>
        <translation>Annulation… tout ce qui est déjà enregistré est conservé.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="225"/>
        <source>Opening %1</source>
        <translation>Ouverture de %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="229"/>
        <source>%1 parser runs, %2 records</source>
        <translation>%1 exécutions d&apos;analyseurs, %2 enregistrements</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="243"/>
        <source>Opening evidence…</source>
        <translation>Ouverture des scellés…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="244"/>
        <source>Indexing and hashing files…</source>
        <translation>Indexation et calcul des empreintes des fichiers…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="245"/>
        <source>Parsing artifacts…</source>
        <translation>Décodage des artefacts…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="246"/>
        <source>Searching records…</source>
        <translation>Recherche dans les enregistrements…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="255"/>
        <source>%1 files</source>
        <translation>%1 fichiers</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="259"/>
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="261"/>
        <source>%1 hashed, %2/s</source>
        <translation>Empreintes&#xa0;: %1, %2/s</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="265"/>
        <source>ETA %1</source>
        <translation>temps restant %1</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="269"/>
        <source>%1 records searched</source>
        <translation>%1 enregistrements parcourus</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="275"/>
        <source>%1 records/s, ETA %2</source>
        <translation>%1 enregistrements/s, temps restant %2</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="282"/>
        <source>%1 files, %2 hashed in %3</source>
        <translation>%1 fichiers, empreintes de %2 calculées en %3</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="290"/>
        <source>Scan cancelled. Scan again to resume where it stopped.</source>
        <translation>Analyse annulée. Relancez l&apos;analyse pour reprendre là où elle s&apos;est arrêtée.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="295"/>
        <source>Scan finished; %1 evidence item(s) NOT read or verified.</source>
        <translation>Analyse terminée&#xa0;; %1 scellé(s) NON lu(s) ou NON vérifié(s).</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="298"/>
        <source>Scan finished.</source>
        <translation>Analyse terminée.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/scan.py" line="304"/>
        <source>Scan failed: %1</source>
        <translation>Échec de l&apos;analyse&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="217"/>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="223"/>
        <source>Examiner name:</source>
        <translation>Nom de l&apos;examinateur&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="224"/>
        <source>Language:</source>
        <translation>Langue&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="225"/>
        <source>Display time zone:</source>
        <translation>Fuseau horaire d&apos;affichage&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="229"/>
        <source>Time zone of this case:</source>
        <translation>Fuseau horaire de cette affaire&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="231"/>
        <source>Bundled rule packs:</source>
        <translation>Jeux de règles fournis&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="233"/>
        <source>Keyword lists:</source>
        <translation>Listes de mots-clés&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="236"/>
        <source>Hash sets of this case:</source>
        <translation>Jeux d&apos;empreintes de cette affaire&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/settings_dialog.py" line="252"/>
        <source>Unknown time zone: choose one from the list.</source>
        <translation>Fuseau horaire inconnu&#xa0;: choisissez-en un dans la liste.</translation>
    </message>
</context>
<context>
    <name>StartScreen</name>
    <message>
        <location filename="../../triage_app/gui/start.py" line="54"/>
        <source>Qarina</source>
        <translation>Qarina</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="59"/>
        <source>Offline triage of seized phones and computers.</source>
        <translation>Tri hors ligne des téléphones et ordinateurs saisis.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="60"/>
        <source>New case…</source>
        <translation>Nouvelle affaire…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="61"/>
        <source>Open case…</source>
        <translation>Ouvrir une affaire…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="62"/>
        <source>Open the workshop sample case</source>
        <translation>Ouvrir l&apos;affaire d&apos;exemple de l&apos;atelier</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="74"/>
        <source>No recent cases yet.</source>
        <translation>Aucune affaire récente pour l&apos;instant.</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="81"/>
        <source>Recent cases</source>
        <translation>Affaires récentes</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="98"/>
        <source>This case folder is not available (moved or removed).</source>
        <translation>Le répertoire de cette affaire n&apos;est pas disponible (déplacé ou supprimé).</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="104"/>
        <source>A fictional case on three seized devices, for training. The first time it is built and scanned (a minute or two).</source>
        <translation>Une affaire fictive sur trois appareils saisis, pour la formation. La première fois, elle est créée et analysée (une à deux minutes).</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/start.py" line="113"/>
        <source>Open case folder</source>
        <translation>Ouvrir le répertoire de l&apos;affaire</translation>
    </message>
</context>
<context>
    <name>TimelineView</name>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="303"/>
        <source>Timeline</source>
        <translation>Chronologie</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="306"/>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="306"/>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="307"/>
        <source>App</source>
        <translation>Application</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="307"/>
        <source>Text</source>
        <translation>Texte</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="308"/>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="308"/>
        <source>Source</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="313"/>
        <source>All kinds</source>
        <translation>Tous les types</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="320"/>
        <source>From</source>
        <translation>Du</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="327"/>
        <source>to</source>
        <translation>au</translation>
    </message>
</context>
<context>
    <name>WebView</name>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="276"/>
        <source>Web history</source>
        <translation>Historique web</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="279"/>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="279"/>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="280"/>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="280"/>
        <source>Title</source>
        <translation>Titre</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="281"/>
        <source>Search term</source>
        <translation>Terme recherché</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="281"/>
        <source>Browser</source>
        <translation>Navigateur</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/views/records.py" line="282"/>
        <source>Source</source>
        <translation>Source</translation>
    </message>
</context>
<context>
    <name>WorkshopSample</name>
    <message>
        <location filename="../../triage_app/gui/sample_case.py" line="31"/>
        <source>Building the workshop sample (the first time only)…</source>
        <translation>Création de l’affaire d’exemple de l’atelier (la première fois seulement)…</translation>
    </message>
    <message>
        <location filename="../../triage_app/gui/sample_case.py" line="39"/>
        <source>Workshop sample</source>
        <translation>Affaire d’exemple de l’atelier</translation>
    </message>
</context>
</TS>
