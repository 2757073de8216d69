; Inno Setup 6 script: the Windows installer of Qarina, from the one-folder PyInstaller build.
;
; Build on Windows (installer/README.md), after `python installer\build.py`:
;   iscc /DAppVersion=0.1.0 installer\qarina.iss
;   iscc /DAppVersion=0.1.0 /DBundleDir=C:\path\to\dist\qarina installer\qarina.iss
; The setup program goes to dist\installer\qarina-<version>-setup.exe.
;
; Per-user install, no administrator rights: PrivilegesRequired=lowest runs Setup in
; non administrative install mode, so the app goes to {userpf} (%LOCALAPPDATA%\Programs),
; the shortcuts to the user's Start menu and the uninstall entry to HKCU.
; AppId must never change: Setup and the uninstaller recognise earlier installs by it.

#if VER < EncodeVer(6, 3, 0)
  #error Inno Setup 6.3 or newer is needed (ArchitecturesAllowed=x64compatible)
#endif
#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z installer\qarina.iss (triage_app/__init__.py)
#endif
#ifndef BundleDir
  #define BundleDir AddBackslash(SourcePath) + "..\dist\qarina"
#endif
#if !FileExists(AddBackslash(BundleDir) + "qarina.exe")
  #error No qarina.exe in BundleDir: run python installer\build.py first, or pass /DBundleDir=...
#endif

#define AppName "Qarina"
#define AppExe "qarina.exe"

[Setup]
AppId={{6F1C2A4E-8B3D-4E7A-9C51-2D8E0B7F4A13}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Qarina project
VersionInfoVersion={#AppVersion}
PrivilegesRequired=lowest
DefaultDirName={userpf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 (PySide6 6.11) runs on Windows 10 and newer.
MinVersion=10.0
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
OutputDir={#BundleDir}\..\installer
OutputBaseFilename=qarina-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=auto

[Languages]
; English is the default (Default.isl); French.isl ships with every Inno Setup 6. Arabic.isl
; is among the official translations of recent Inno Setup 6 releases (Inno Setup's source
; tree, Files\Languages\Arabic.isl, headed "6.4.0+" and later "6.5.0+"); older releases had it
; only among the unofficial, user-contributed ones. When the compiler used has none, copy
; Arabic.isl into its Languages folder; otherwise the installer is built without Arabic and
; the compiler prints a warning saying so.
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"
#if FileExists(AddBackslash(CompilerPath) + "Languages\Arabic.isl")
Name: "ar"; MessagesFile: "compiler:Languages\Arabic.isl"
#else
  #pragma warning "Languages\Arabic.isl is not in this Inno Setup: the installer has no Arabic"
#endif

[Files]
; The whole one-folder build: qarina.exe and _internal\ (Python, Qt, resources, SHA256SUMS).
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "gui"; WorkingDir: "{userdocs}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"

[Run]
Filename: "{app}\{#AppExe}"; Parameters: "gui"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
