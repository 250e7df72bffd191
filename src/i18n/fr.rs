//! Français.

use super::K;

pub fn text(k: K) -> &'static str {
    match k {
        K::SkipToContent => "Aller au contenu",
        K::NavPages => "Pages",
        K::NavLessons => "Leçons",
        K::NavPlayground => "Bac à sable",
        K::NavLatency => "Démo de latence",
        K::NavTypes => "Types",
        K::NavReference => "Référence",
        K::Tagline => "Un émulateur Redis 7 dans votre navigateur — sans serveur",
        K::LanguageLabel => "Langue",

        K::HomeTitle => "Apprenez Redis en tapant de vraies commandes",
        K::HomeIntro1 => "Cette console parle à un émulateur Redis 7 qui tourne dans cette page. ",
        K::HomeIntroTry => "Essayez ",
        K::HomeIntroAnd => " et ",
        K::HomeIntroTab => ". Tab complète une commande ; tapez ",
        K::HomeIntroHelp => " pour en savoir plus sur l'une d'elles.",
        K::HomePlaygroundButton => "Ouvrir le bac à sable →",
        K::HomePlaygroundText => " plusieurs clients côte à côte, chaque clé dessinée, une horloge que vous contrôlez.",
        K::HomeTryNow => "Essayez tout de suite",
        K::CourseTitle => "Le cours",
        K::LessonsComplete => "{n} leçon terminée sur {total}|{n} leçons terminées sur {total}",
        K::ExportProgress => "Exporter la progression",
        K::ImportProgress => "Importer une progression",
        K::ImportProgressFile => "Importer un fichier de progression",
        K::ImportFailed => "Ce fichier n'a pas été importé : {why}.",
        K::ImportUnreadable => "Ce fichier n'a pas pu être lu.",
        K::SavedProgressUnreadable => {
            "Votre progression enregistrée n'a pas pu être lue ({why}) ; vous repartez de zéro. "
        }
        K::DownloadOldSave => "Télécharger l'ancienne sauvegarde",
        K::LessonFileUnreadable => "Un fichier de leçon n'a pas pu être lu : {problem}",
        K::StatusComplete => "Terminée",
        K::StatusInProgress => "En cours",
        K::StatusNotStarted => "Pas commencée",
        K::AuthorsSummary => "Pour les auteurs de cours : ouvrir votre propre fichier de leçon",
        K::AuthorsIntro => {
            "Collez une leçon écrite au format des leçons (voir le README), ou donnez l'adresse d'un fichier de \
             leçon sur ce site. Rien n'est envoyé nulle part."
        }
        K::AuthorsAddress => "Adresse du fichier de leçon",
        K::AuthorsLoad => "Charger",
        K::AuthorsPaste => "Ou collez le Markdown",
        K::AuthorsOpen => "Ouvrir cette leçon",
        K::AuthorsProblemAt => "Ce fichier de leçon a un problème : {problem}",
        K::AuthorsSameSite => {
            "Seuls les fichiers de leçon de ce site peuvent être chargés (un chemin relatif ou cette origine)."
        }

        K::NoSuchLesson => "Leçon introuvable",
        K::NoSuchLessonText => "Il n'y a pas de leçon nommée « {id} ».",
        K::SeeAllLessons => "Voir toutes les leçons",
        K::LessonFileProblem => "Ce fichier de leçon a un problème",
        K::NoLessonFile => "Aucun fichier de leçon ouvert",
        K::OpenFromMap => "En ouvrir un depuis la liste des leçons",
        K::OwnLessonFile => " · votre propre fichier de leçon (hors du cours)",
        K::LessonPosition => " · {n} sur {total}",
        K::ChallengesPassed => "{n} défi réussi sur {total}|{n} défis réussis sur {total}",
        K::LessonComplete => " ✓ Leçon terminée",
        K::ResetLesson => "Recommencer la leçon",
        K::ResetLessonTitle => "Rétablir les données de départ de la leçon et vider les consoles",
        K::Embed => "Intégrer",
        K::DataNote => {
            "Votre progression est enregistrée dans ce navigateur, mais pas les données de la leçon : après un \
             rechargement, la leçon repart de ses données de départ."
        }
        K::EmbedInstructions => {
            "Collez ceci dans la page de votre cours (mettez votre site dans parentOrigin pour recevoir les \
             événements de progression) :"
        }
        K::Copy => "Copier",
        K::LessonsNav => "Leçons",
        K::Workbench => "Établi",
        K::Client1 => "Client 1",
        K::Client2 => "Client 2",
        K::NotTranslated => "Cette leçon n'est pas encore traduite en français : elle s'affiche en anglais.",
        K::AuthorCheck => "Vérification de l'auteur",
        K::AuthorRan => {
            "Redis Lab a exécuté ce fichier du début à la fin : la préparation, {blocks}, puis chaque défi avant \
             et après sa solution."
        }
        K::AuthorBlocks => "{n} bloc|{n} blocs",
        K::AuthorClean => {
            "✓ Les {n} sorties attendues correspondent toutes, et chaque défi échoue avant sa solution et réussit \
             après."
        }
        K::AuthorOutputs => "{n} sortie attendue|{n} sorties attendues",
        K::AuthorDiffer => {
            "{outputs} sur {compared} diffèrent de ce qu'attend le fichier, dans {blocks} — signalé sous le bloc."
        }
        K::AuthorChallenge => "Défi ",
        K::Run => "Exécuter",
        K::RunAsClient => "Exécuter en tant que client {client}",
        K::WaitThenRun => "Attendre {s} s, puis exécuter",
        K::WaitThenRunAsClient => "Attendre {s} s, puis exécuter en tant que client {client}",
        K::RunBlockLabel => "{label} : bloc {n}",
        K::BlockCommands => "Commandes du bloc {n}",
        K::BlockPrinted => "Ce que le bloc {n} a affiché dans le client {client}",
        K::Varies => "(variable)",
        K::BlockDiffersLabel => "Le bloc {n} diffère du fichier",
        K::BlockDiffers => "⚠ Bloc {n} : l'émulateur n'affiche pas ce que dit le fichier.",
        K::MismatchCommand => "Commande",
        K::MismatchClientReceives => " (ce que reçoit le client {client})",
        K::MismatchExpects => "Le fichier attend",
        K::MismatchPrints => "Redis Lab affiche",
        K::Nothing => "(rien)",
        K::BlockMatches => "✓ conforme au fichier",
        K::Challenge => "Défi",
        K::YourTurn => "À vous",
        K::TryLabel => "Tapez une commande (exécutée par le client 1) :",
        K::TryPlaceholder => "p. ex. SET cle valeur",
        K::TryPrinted => "Ce que vos commandes ont affiché dans le client 1",
        K::Check => "Vérifier",
        K::ShowHint => "Afficher un indice ({n} sur {total})",
        K::ShowSolution => "Afficher la solution",
        K::HideSolution => "Masquer la solution",
        K::WellDone => "✓ Bravo — la vérification est passée.",
        K::NotYet => "Pas encore.",
        K::CheckRan => "La vérification a exécuté ",
        K::CheckGot => " et obtenu ",
        K::PassedBefore => "✓ Vous avez déjà réussi ce défi.",
        K::RunSolution => "Exécuter la solution",
        K::OpenLatencyDemo => "Ouvrir la démo de latence →",
        K::UnknownWidget => "(Cette leçon demande un panneau « {name} », que cette version n'a pas.)",

        K::PageNotFound => "Page introuvable",
        K::BackToStart => "Retour à l'accueil",

        K::ConsoleFor => "Console du client {n}",
        K::ClientIdTitle => "Ce que CLIENT ID répond dans cette console",
        K::Copied => "Copié",
        K::CopyTranscript => "Copier la transcription",
        K::CopyTranscriptOf => "Copier la transcription du client {n}",
        K::CopyAsCli => "Copier pour redis-cli",
        K::CopyAsCliOf => "Copier pour redis-cli : les commandes du client {n} en script shell",
        K::CopyAsCliTitle => "Un script shell qui exécute ces commandes avec redis-cli sur un vrai Redis",
        K::CopyAsPython => "Copier en Python",
        K::CopyAsPythonOf => "Copier en Python : les commandes du client {n} en programme redis-py",
        K::CopyAsPythonTitle => "Un programme Python qui exécute ces commandes avec redis-py sur un vrai Redis",
        K::CloseClient => "Fermer le client {n}",
        K::OutputOf => "Sortie du client {n}",
        K::EarlierLines => {
            "{n} ligne précédente n'est pas affichée ici — « Copier la transcription » les contient toutes|{n} \
             lignes précédentes ne sont pas affichées ici — « Copier la transcription » les contient toutes"
        }
        K::Waiting => "(en attente d'une réponse — Ctrl+C annule)",
        K::ReadingTitle => {
            "Abonné : ce client ne fait que recevoir des messages (UNSUBSCRIBE, PING et Ctrl+C fonctionnent encore)"
        }
        K::CommandFor => "Commande Redis pour le client {n}",
        K::Blocked => "bloqué…",
        K::Arguments => "Arguments : {args}",

        K::Clock => "Horloge",
        K::EngineClock => "Horloge du moteur ",
        K::EngineClockTitle => "l'horloge de l'émulateur",
        K::ClockControls => "Commandes de l'horloge",
        K::Play => "Lecture",
        K::Pause => "Pause",
        K::Advance1s => "+1 s : avancer l'horloge d'une seconde",
        K::Advance10s => "+10 s : avancer l'horloge de 10 secondes",
        K::Advance1min => "+1 min : avancer l'horloge d'une minute",

        K::Keys => "Clés",
        K::Database => "Base de données",
        K::FilterKeys => "Filtrer les clés par motif glob",
        K::KeyPattern => "motif, p. ex. user:*",
        K::KeyCount => "{n} clé|{n} clés",
        K::KeysRemoved => "Clés supprimées à l'instant",
        K::NoKeysYet => "Pas encore de clé ici. Essayez ",
        K::NoExpiry => "sans expiration",
        K::ExpiresIn => "expire dans {ttl}",

        K::Playground => "Bac à sable",
        K::PlaygroundLead1 => {
            "Tapez des commandes, ouvrez d'autres clients, regardez les clés changer et expirer. Tab complète, ↑/↓ \
             rappelle, "
        }
        K::PlaygroundLead2 => " explique.",
        K::Clients => "Clients",
        K::AddClient => "+ Ajouter un client",
        K::MonitorPanel => "Panneau MONITOR",
        K::KeysAndServer => "Clés et serveur",
        K::Server => "Serveur",
        K::MemoryWord => "mémoire ",
        K::MemoryUsed => "Mémoire utilisée",
        K::MemoryUsedValue => "{memory} utilisés",
        K::CloseMonitor => "Fermer le panneau MONITOR",
        K::MonitorLog => "Commandes reçues par le serveur",

        // Value views
        K::KeyGone => "Cette clé n'existe plus.",
        K::ValueOf => "Valeur de {key}",
        K::AndMore => "… et {n} de plus",
        K::StringMeta => "{n} octets · encodage {encoding}",
        K::BitsCaption => "Bits (positions GETBIT)",
        K::BitsFirstBytes => ", {n} premiers octets",
        K::BitsSet => "{set} bits à 1 sur {n}",
        K::BitTitle => "bit {n}",
        K::HllInvalid => "Une chaîne qui commence comme un HyperLogLog mais n'en est pas un valide.",
        K::HllEstimate => "≈ {n} éléments distincts",
        K::HllMeta => " · encodage {encoding} · {used} registres non nuls sur {n}",
        K::HllDense => "dense",
        K::HllSparse => "creux",
        K::HllHeatmap => "Carte de chaleur de {n} registres, {used} non nuls ; estimation {estimate}",
        K::HllRegister => "registre {i} : {r}",
        K::ListMeta => "{n} élément|{n} éléments",
        K::ListLabel => "Éléments de la liste, de la tête à la queue",
        K::ListHead => "tête",
        K::ListTail => "queue",
        K::HashMeta => "{n} champ|{n} champs",
        K::HashField => "champ",
        K::HashValue => "valeur",
        K::SetMeta => "{n} membre|{n} membres",
        K::SetLabel => "Membres de l'ensemble",
        K::ZsetMeta => "{n} membre, du plus petit score au plus grand (ordre de ZRANGE)|{n} membres, du plus petit score au plus grand (ordre de ZRANGE)",
        K::GeoMeta => "{n} lieu (scores geohash décodés)|{n} lieux (scores geohash décodés)",
        K::GeoLastSearch => " · dernière recherche : {km} km autour de {lon}, {lat}",
        K::GeoPlane => "Membres placés selon la longitude ({west} à {east}) et la latitude ({south} à {north})",
        K::GeoAcross => "≈ {distance} de large",
        K::StreamEntries => "{n} entrée|{n} entrées",
        K::StreamMeta => "{entries} · plus récente {newest} · {groups}",
        K::StreamGroups => "{n} groupe de consommateurs|{n} groupes de consommateurs",
        K::StreamOlder => "{n} entrées plus anciennes non affichées",
        K::StreamLabel => "Entrées du stream, de la plus ancienne à la plus récente",
        K::StreamCursorTitle => "dernier id remis au groupe de consommateurs",
        K::StreamCursor => "▲ {group} ({pending} en attente, {consumers})",
        K::StreamConsumers => "{n} consommateur|{n} consommateurs",
        K::StreamGroup => "groupe {group} → dernier remis {id} · {pending} en attente",

        // Types and reference
        K::TypesTitle => "À quoi ressemble chaque type",
        K::TypesLead => "Un exemple de chaque type Redis, dessiné comme le navigateur de clés du bac à sable dessine vos clés.",
        K::TypesUnavailable => "{commands} n'est pas disponible dans cette version.",
        K::RefTitle => "Référence des commandes",
        K::RefLead => "{n} commandes, qui répondent exactement comme Redis 7.0. Tapez HELP <commande> dans n'importe quelle console pour le même texte (en anglais, comme Redis).",
        K::RefFilter => "Filtrer les commandes",
        K::RefFilterPlaceholder => "Filtrer : zadd, expire, stream…",
        K::RefShown => "{n} affichée|{n} affichées",
        K::RefSince => " — depuis {since}, {complexity}",

        // Playground dataset bar
        K::DatasetWhatImport => "l'import",
        K::DatasetWhatFile => "le fichier",
        K::DatasetWhatLink => "le lien partagé",
        K::DatasetNotRun => "Rien n'a été exécuté depuis {what} : {error}.",
        K::DatasetRan => "{n} commande exécutée depuis {what}.|{n} commandes exécutées depuis {what}.",
        K::DatasetRanFailed => "{n} commandes exécutées depuis {what} ; {failed} en échec : {list}",
        K::ExamplesLoaded => "{n} commandes d'exemple chargées : choisissez une clé pour voir son dessin.",
        K::ExamplesMissing => "Exemples chargés ; {failed} commandes sur {n} ne sont pas disponibles ici : {list}",
        K::ConfirmFlush => "Supprimer toutes les clés de toutes les bases ?",
        K::AllEmpty => "Toutes les bases sont vides maintenant.",
        K::ShareTooLarge => "Ces données sont trop volumineuses pour un lien ({n} octets de commandes ; la limite est {limit}). Utilisez plutôt Exporter.",
        K::SaveUnreadable => "Vos données enregistrées n'ont pas pu être restaurées : ",
        K::SaveUnreadableRest => "Le bac à sable a démarré vide. Votre ancienne sauvegarde est conservée — téléchargez-la pour la garder.",
        K::SavePartial => "{n} commande enregistrée n'a pas pu être restaurée.|{n} commandes enregistrées n'ont pas pu être restaurées.",
        K::SavePartialRest => " Tout le reste a été restauré. Téléchargez l'ancienne sauvegarde pour la garder.",
        K::Dismiss => "Fermer",
        K::SharedTitle => "Commandes venues d'un lien partagé",
        K::SharedCarries => "Ce lien contient {n} commande. Lisez-la, puis exécutez-la sur vos données ou ignorez-la.|Ce lien contient {n} commandes. Lisez-les, puis exécutez-les sur vos données ou ignorez-les.",
        K::RunTheseCommands => "Exécuter ces commandes",
        K::Ignore => "Ignorer",
        K::SharedUnusable => "Ce lien est inutilisable : {error}.",
        K::Close => "Fermer",
        K::DatasetLabel => "Données",
        K::LoadExamples => "Charger des exemples",
        K::Reset => "Réinitialiser",
        K::Export => "Exporter",
        K::Import => "Importer",
        K::Share => "Partager",
        K::NotSaved => "Non enregistré : trop volumineux pour le stockage de ce navigateur — utilisez Exporter pour le garder",
        K::SavedHere => "Enregistré dans ce navigateur",
        K::PasteCommands => "Collez des commandes (une par ligne), ou choisissez un fichier :",
        K::ChooseFile => "Choisir un fichier ",
        K::ShareLink => "Lien avec vos données (copié dans le presse-papiers) :",
    }
}
