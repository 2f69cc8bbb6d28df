/**
 * The wizard's words in the IDP's three languages. The Dutch follows the screenshots of
 * the I.AM fat-client SSO spec v1.0 §5 word for word where it shows them; French and English are ours,
 * in the same register.
 */

export const LANGUAGES = ['nl', 'fr', 'en'] as const
export type Language = (typeof LANGUAGES)[number]

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value)
}

export interface Texts {
  languageName: string
  title: string
  resultTitle: string
  installTitle: string
  sandboxBanner: string
  stepLanguage: string
  stepIdentify: string
  stepProfile: string
  step: string
  help: string
  change: string
  next: string
  chooseLanguage: string
  identifyIntro: string
  identifySandbox: string
  identifyButton: string
  eid: string
  identifiedAs: string
  logout: string
  signInAs: string
  signIn: string
  noCertificate: string
  noCertificateHelp: string
  referenceNumber: string
  canInstall: string
  showQr: string
  install: string
  /** The other download: the token as the STS issued it. */
  asIssuedLead: string
  asIssued: string
  qrHelp: string
  otherProfile: string
  chooseOtherProfile: string
  tokenReference: string
  validUntil: string
  linkGoneTitle: string
  linkGone: string
  startAgain: string
  sessionExpired: string
  profiles: Record<string, string>
}

export const TEXTS: Record<Language, Texts> = {
  nl: {
    languageName: 'Nederlands',
    title: 'Aanmelden voor eHealth SSO Service',
    resultTitle: 'eHealth SSO Service',
    installTitle: 'Installatie sessietoken',
    sandboxBanner: 'SANDBOX: een nagebootst eHealth-platform voor tests. Er wordt geen echte eID gelezen en er worden geen echte gegevens gebruikt.',
    stepLanguage: 'Kies uw taal',
    stepIdentify: 'Identificatie',
    stepProfile: 'Kies uw profiel',
    step: 'Stap',
    help: 'Hulp nodig?',
    change: 'Wijzigen',
    next: 'Volgende',
    chooseLanguage: 'In welke taal wilt u verdergaan?',
    identifyIntro: 'U kan uzelf identificeren aan de hand van uw elektronische identiteitskaart.',
    identifySandbox: 'Dit is de sandbox: kies een testpersoon, wiens nagebootste eID-kaart gebruikt wordt.',
    identifyButton: 'Ga verder met elektronische identiteitskaart',
    eid: 'eID',
    identifiedAs: 'U bent geïdentificeerd als:',
    logout: 'Afmelden',
    signInAs: 'Ik wil me aanmelden als:',
    signIn: 'Aanmelden',
    noCertificate: 'Deze service is momenteel enkel toegankelijk voor personen die beschikken over een actief eHealth Certificaat.',
    noCertificateHelp: 'Dit is de sandbox: er is geen helpdesk. In de sandbox hebben enkel de dokter, de verpleegkundige en de apotheker een eHealth-certificaat. Het verwijzingsnummer van deze poging is:',
    referenceNumber: 'Verwijzingsnummer',
    canInstall: 'U kan nu een sessietoken installeren volgens het gekozen profiel',
    showQr: 'Toon QR-code',
    install: 'Installeer mijn sessietoken',
    asIssuedLead: 'Voor software die het token zelf inleest:',
    asIssued: 'download het token zoals de STS het uitreikte (XML)',
    qrHelp: 'U kan deze QR-code gebruiken om uw sessietoken te installeren op een mobiel toestel dat is uitgerust met een barcodescanner.',
    otherProfile: 'Indien u over meerdere profielen beschikt, kan u een sessietoken volgens een ander profiel aanmaken.',
    chooseOtherProfile: 'Kies een ander profiel',
    tokenReference: 'Referentie van uw sessietoken:',
    validUntil: 'geldig tot',
    linkGoneTitle: 'Link niet meer geldig',
    linkGone: 'Deze downloadlink is al gebruikt of verlopen. Een link werkt één keer en vijf minuten lang.',
    startAgain: 'Opnieuw beginnen',
    sessionExpired: 'Uw sessie is verlopen of het formulier is niet geldig. Begin opnieuw.',
    profiles: {
      citizen: 'Burger',
      doctor: 'Dokter',
      nurse: 'Verpleegkundige',
      pharmacist: 'Apotheker',
      'org:hospital': 'Ziekenhuis',
      'org:pharmacy': 'Apotheek',
      mandate: 'Mandataris',
    },
  },
  fr: {
    languageName: 'Français',
    title: 'Se connecter au service eHealth SSO',
    resultTitle: 'Service eHealth SSO',
    installTitle: 'Installation du jeton de session',
    sandboxBanner: 'SANDBOX : une plate-forme eHealth simulée pour les tests. Aucune vraie carte eID n’est lue et aucune donnée réelle n’est utilisée.',
    stepLanguage: 'Choisissez votre langue',
    stepIdentify: 'Identification',
    stepProfile: 'Choisissez votre profil',
    step: 'Étape',
    help: 'Besoin d’aide ?',
    change: 'Modifier',
    next: 'Suivant',
    chooseLanguage: 'Dans quelle langue souhaitez-vous continuer ?',
    identifyIntro: 'Vous pouvez vous identifier au moyen de votre carte d’identité électronique.',
    identifySandbox: 'Ceci est la sandbox : choisissez une personne de test, dont la carte eID simulée sera utilisée.',
    identifyButton: 'Continuer avec la carte d’identité électronique',
    eid: 'eID',
    identifiedAs: 'Vous êtes identifié comme :',
    logout: 'Se déconnecter',
    signInAs: 'Je souhaite me connecter en tant que :',
    signIn: 'Se connecter',
    noCertificate: 'Ce service est actuellement uniquement accessible aux personnes disposant d’un certificat eHealth actif.',
    noCertificateHelp: 'Ceci est la sandbox : il n’y a pas de helpdesk. Dans la sandbox, seuls le médecin, l’infirmier et la pharmacienne ont un certificat eHealth. Le numéro de référence de cette tentative est :',
    referenceNumber: 'Numéro de référence',
    canInstall: 'Vous pouvez maintenant installer un jeton de session selon le profil choisi',
    showQr: 'Afficher le code QR',
    install: 'Installer mon jeton de session',
    asIssuedLead: 'Pour un logiciel qui lit lui-même le jeton :',
    asIssued: 'télécharger le jeton tel que le STS l’a émis (XML)',
    qrHelp: 'Vous pouvez utiliser ce code QR pour installer votre jeton de session sur un appareil mobile équipé d’un lecteur de codes-barres.',
    otherProfile: 'Si vous disposez de plusieurs profils, vous pouvez créer un jeton de session selon un autre profil.',
    chooseOtherProfile: 'Choisir un autre profil',
    tokenReference: 'Référence de votre jeton de session :',
    validUntil: 'valable jusqu’au',
    linkGoneTitle: 'Lien expiré',
    linkGone: 'Ce lien de téléchargement a déjà été utilisé ou a expiré. Un lien fonctionne une fois, pendant cinq minutes.',
    startAgain: 'Recommencer',
    sessionExpired: 'Votre session a expiré ou le formulaire n’est pas valide. Recommencez.',
    profiles: {
      citizen: 'Citoyen',
      doctor: 'Médecin',
      nurse: 'Infirmier',
      pharmacist: 'Pharmacien',
      'org:hospital': 'Hôpital',
      'org:pharmacy': 'Pharmacie',
      mandate: 'Mandataire',
    },
  },
  en: {
    languageName: 'English',
    title: 'Sign in to the eHealth SSO Service',
    resultTitle: 'eHealth SSO Service',
    installTitle: 'Session token installation',
    sandboxBanner: 'SANDBOX: a simulated eHealth platform for testing. No real eID card is read and no real data is used.',
    stepLanguage: 'Choose your language',
    stepIdentify: 'Identification',
    stepProfile: 'Choose your profile',
    step: 'Step',
    help: 'Need help?',
    change: 'Change',
    next: 'Next',
    chooseLanguage: 'In which language do you want to continue?',
    identifyIntro: 'You can identify yourself with your electronic identity card.',
    identifySandbox: 'This is the sandbox: choose a test person, whose simulated eID card will be used.',
    identifyButton: 'Continue with the electronic identity card',
    eid: 'eID',
    identifiedAs: 'You are identified as:',
    logout: 'Sign out',
    signInAs: 'I want to sign in as:',
    signIn: 'Sign in',
    noCertificate: 'This service is currently only available to persons who have an active eHealth certificate.',
    noCertificateHelp: 'This is the sandbox: there is no helpdesk. In the sandbox only the doctor, the nurse and the pharmacist have an eHealth certificate. The reference number of this attempt is:',
    referenceNumber: 'Reference number',
    canInstall: 'You can now install a session token for the chosen profile',
    showQr: 'Show QR code',
    install: 'Install my session token',
    asIssuedLead: 'For software that reads the token itself:',
    asIssued: 'download the token as the STS issued it (XML)',
    qrHelp: 'You can use this QR code to install your session token on a mobile device equipped with a barcode scanner.',
    otherProfile: 'If you have several profiles, you can create a session token for another profile.',
    chooseOtherProfile: 'Choose another profile',
    tokenReference: 'Reference of your session token:',
    validUntil: 'valid until',
    linkGoneTitle: 'Link no longer valid',
    linkGone: 'This download link has already been used or has expired. A link works once, for five minutes.',
    startAgain: 'Start again',
    sessionExpired: 'Your session has expired or the form is not valid. Please start again.',
    profiles: {
      citizen: 'Citizen',
      doctor: 'Doctor',
      nurse: 'Nurse',
      pharmacist: 'Pharmacist',
      'org:hospital': 'Hospital',
      'org:pharmacy': 'Pharmacy',
      mandate: 'Mandatary',
    },
  },
}

/** The profile's name in `language`, or its id for a profile the wizard has no name for. */
export function profileName(language: Language, profile: string): string {
  return TEXTS[language].profiles[profile] ?? profile
}
